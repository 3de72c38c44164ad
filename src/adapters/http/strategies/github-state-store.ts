import { randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Context } from 'koa';
import { STATE_COOKIE } from '../cookie-names.js';

const STATE_TTL_SECONDS = 600;
const AUDIENCE = 'github-oauth-state';

/** What a GitHub flow carries from its start to its callback. */
export interface GithubFlowState {
  /** The user a link flow attaches GitHub to; absent for a sign-in. */
  readonly link?: string;
}

interface RequestWithCookies {
  readonly cookies?: Context['cookies'];
  /** Where verify() leaves the flow's state for the strategy's verify callback (same request object). */
  githubFlow?: GithubFlowState;
}

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (err: Error | null, ok: string | false, state?: unknown) => void;

const sameHandle = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const isFlowState = (v: unknown): v is GithubFlowState =>
  typeof v === 'object' && v !== null && (!('link' in v) || typeof (v as { link: unknown }).link === 'string');

/**
 * passport-oauth2 `store` without server sessions, so any instance can finish a flow another
 * started: the state handle, the PKCE verifier and the flow's own state ride in a signed,
 * short-lived, HttpOnly cookie bound to this browser. The callback consumes the cookie, so a
 * replayed callback finds none.
 */
export class CookieStateStore {
  constructor(
    private readonly key: KeyObject,
    private readonly secure: boolean,
  ) {}

  store(req: RequestWithCookies, verifier: string, state: unknown, _meta: unknown, callback: StoreCallback): void {
    try {
      const handle = randomBytes(24).toString('base64url');
      const flow: GithubFlowState = isFlowState(state) ? state : {};
      const value = jwt.sign({ h: handle, v: verifier, s: flow }, this.key, {
        algorithm: 'HS256',
        audience: AUDIENCE,
        expiresIn: STATE_TTL_SECONDS,
      });
      this.setCookie(req, value, STATE_TTL_SECONDS * 1000);
      callback(null, handle);
    } catch (err) {
      callback(err as Error);
    }
  }

  verify(req: RequestWithCookies, providedState: string, _meta: unknown, callback: VerifyCallback): void {
    const value = req.cookies?.get(STATE_COOKIE);
    this.setCookie(req, '', 0); // single use, whatever the outcome
    if (!value || typeof providedState !== 'string') return callback(null, false, { message: 'Missing authorization request state' });
    try {
      const claims = jwt.verify(value, this.key, { algorithms: ['HS256'], audience: AUDIENCE }) as { h?: unknown; v?: unknown; s?: unknown };
      if (typeof claims.h !== 'string' || typeof claims.v !== 'string' || !isFlowState(claims.s) || !sameHandle(claims.h, providedState)) {
        return callback(null, false, { message: 'Invalid authorization request state' });
      }
      req.githubFlow = claims.s;
      return callback(null, claims.v, claims.s);
    } catch {
      return callback(null, false, { message: 'Invalid or expired authorization request state' });
    }
  }

  private setCookie(req: RequestWithCookies, value: string, maxAge: number): void {
    if (!req.cookies) throw new Error('cookies are not available on this request');
    if (this.secure) req.cookies.secure = true;
    req.cookies.set(STATE_COOKIE, value, {
      httpOnly: true,
      // Lax: the cookie must ride along on GitHub's top-level redirect back to the callback.
      sameSite: 'lax',
      secure: this.secure,
      path: '/auth/github',
      overwrite: true,
      ...(maxAge > 0 ? { maxAge } : { expires: new Date(0) }),
    });
  }
}
