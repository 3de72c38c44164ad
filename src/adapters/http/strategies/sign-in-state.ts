import { createHash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Context } from 'koa';
import type { Clock } from '../../../domain/ports/clock.js';
import type { SignInStateStore } from '../../../domain/ports/sign-in-state-store.js';
import { STATE_COOKIE } from '../cookie-names.js';

export const STATE_TTL_SECONDS = 600;

/** What a provider flow carries from its start to its callback. */
export interface SignInFlow {
  /** The user a link flow attaches the identity to; absent for a sign-in. */
  readonly link?: string;
}

/** What the callback gets back: the PKCE verifier, the OpenID Connect nonce (when one was sent) and the flow. */
export interface FinishedFlow {
  readonly verifier: string;
  readonly nonce: string | null;
  readonly flow: SignInFlow;
}

export interface RequestWithCookies {
  readonly cookies?: Context['cookies'];
  /** Where the callback leaves the flow's state for the strategy's verify callback (same request object). */
  signInFlow?: SignInFlow;
}

const sameHandle = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const digest = (handle: string): string => createHash('sha256').update(handle).digest('hex');

/** What every provider's verify callback hands AuthenticateWithProvider besides the profile: the link flow's user (finish() left it on the request), and where the browser signs in from. */
export const flowInput = (req: { readonly signInFlow?: SignInFlow; readonly ip?: unknown }) => ({
  linkToUserId: req.signInFlow?.link ?? null,
  clientIp: typeof req.ip === 'string' ? req.ip : null,
});

export const isSignInFlow = (v: unknown): v is SignInFlow =>
  typeof v === 'object' && v !== null && (!('link' in v) || typeof (v as { link: unknown }).link === 'string');

/**
 * The `state` of a provider sign-in, without server sessions, so any instance can finish a flow
 * another started. The state handle, the PKCE verifier, the nonce and the flow ride in a signed,
 * short-lived, HttpOnly cookie on `/auth/<provider>`, bound to this browser; the handle's digest is
 * also recorded in the SignInStateStore (memory or Redis) and spent by the callback. So a replayed
 * callback fails twice over: its cookie is gone, and its state was spent, even at a provider that
 * would accept its code again.
 */
export class SignInStates {
  constructor(
    private readonly key: KeyObject,
    private readonly secure: boolean,
    private readonly store: SignInStateStore,
    private readonly clock: Clock,
  ) {}

  /** Starts a flow: the `state` to send the provider. */
  async begin(req: RequestWithCookies, provider: string, flow: SignInFlow, verifier: string, nonce: string | null): Promise<string> {
    const handle = randomBytes(24).toString('base64url');
    await this.store.issue(digest(handle), provider, new Date(this.clock.now().getTime() + STATE_TTL_SECONDS * 1000));
    const value = jwt.sign({ h: handle, v: verifier, n: nonce, s: flow }, this.key, { algorithm: 'HS256', audience: audienceOf(provider), expiresIn: STATE_TTL_SECONDS });
    this.setCookie(req, provider, value, STATE_TTL_SECONDS * 1000);
    return handle;
  }

  /** Ends a flow, whatever the outcome: what it started with, or null when the state is not this browser's live one. */
  async finish(req: RequestWithCookies, provider: string, providedState: unknown): Promise<FinishedFlow | null> {
    const value = req.cookies?.get(STATE_COOKIE);
    this.setCookie(req, provider, '', 0); // single use, whatever the outcome
    if (!value || typeof providedState !== 'string') return null;
    let claims: { h?: unknown; v?: unknown; n?: unknown; s?: unknown };
    try {
      claims = jwt.verify(value, this.key, { algorithms: ['HS256'], audience: audienceOf(provider) }) as typeof claims;
    } catch {
      return null;
    }
    if (typeof claims.h !== 'string' || typeof claims.v !== 'string' || !isSignInFlow(claims.s) || !sameHandle(claims.h, providedState)) return null;
    if (claims.n !== null && typeof claims.n !== 'string') return null;
    if (!(await this.store.consume(digest(claims.h), provider, this.clock.now()))) return null;
    req.signInFlow = claims.s;
    return { verifier: claims.v, nonce: claims.n ?? null, flow: claims.s };
  }

  private setCookie(req: RequestWithCookies, provider: string, value: string, maxAge: number): void {
    if (!req.cookies) throw new Error('cookies are not available on this request');
    if (this.secure) req.cookies.secure = true;
    req.cookies.set(STATE_COOKIE, value, {
      httpOnly: true,
      // Lax: the cookie must ride along on the provider's top-level redirect back to the callback.
      sameSite: 'lax',
      secure: this.secure,
      path: `/auth/${provider}`,
      overwrite: true,
      ...(maxAge > 0 ? { maxAge } : { expires: new Date(0) }),
    });
  }
}

const audienceOf = (provider: string) => `sign-in-state:${provider}`;

type StoreCallback = (err: Error | null, handle?: string) => void;
type VerifyCallback = (err: Error | null, ok: string | false, state?: unknown) => void;

/** passport-oauth2's `store` (GitHub's strategy) over SignInStates: the same cookie, the same single use. */
export function oauth2StateStore(states: SignInStates, provider: string) {
  return {
    store(req: RequestWithCookies, verifier: string, state: unknown, _meta: unknown, callback: StoreCallback): void {
      states.begin(req, provider, isSignInFlow(state) ? state : {}, verifier, null).then(
        (handle) => callback(null, handle),
        (err: unknown) => callback(err as Error),
      );
    },
    verify(req: RequestWithCookies, providedState: string, _meta: unknown, callback: VerifyCallback): void {
      states.finish(req, provider, providedState).then(
        (finished) => (finished ? callback(null, finished.verifier, finished.flow) : callback(null, false, { message: 'Invalid or expired authorization request state' })),
        (err: unknown) => callback(err as Error, false),
      );
    },
  };
}
