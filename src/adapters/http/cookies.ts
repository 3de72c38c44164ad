import type { KeyObject } from 'node:crypto';
import type { Context } from 'koa';
import type { SessionTokens } from '../../application/sessions/session-token-minter.js';
import { csrfTokenFor } from './csrf.js';
import { COOKIE } from './cookie-names.js';

export interface CookieSettings {
  /** `Secure` on every cookie: whenever PUBLIC_URL is https, whatever this request's own scheme. */
  readonly secure: boolean;
  /** The key of each session's CSRF token (see csrf.ts). */
  readonly csrfKey: KeyObject;
}

const msUntil = (at: Date): number => Math.max(0, at.getTime() - Date.now());

/**
 * Cookie mode: `access_token` (HttpOnly, Lax, /), `refresh_token` (HttpOnly, Strict, /auth) and
 * the readable `csrf_token` (Lax, /) for the double-submit check, bound to the session; each lives
 * as long as its token, the CSRF cookie as long as the refresh token.
 */
export function setSessionCookies(ctx: Context, settings: CookieSettings, tokens: SessionTokens): void {
  ctx.cookies.secure = settings.secure || ctx.secure;
  const common = { secure: settings.secure, overwrite: true };
  ctx.cookies.set(COOKIE.access, tokens.accessToken, {
    ...common,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: msUntil(tokens.accessTokenExpiresAt),
  });
  ctx.cookies.set(COOKIE.refresh, tokens.refreshToken, {
    ...common,
    httpOnly: true,
    sameSite: 'strict',
    path: '/auth',
    maxAge: msUntil(tokens.refreshTokenExpiresAt),
  });
  ctx.cookies.set(COOKIE.csrf, csrfTokenFor(settings.csrfKey, tokens.sessionId), {
    ...common,
    httpOnly: false,
    sameSite: 'lax',
    path: '/',
    maxAge: msUntil(tokens.refreshTokenExpiresAt),
  });
}

/** Expires all three cookies, each on its own path. */
export function clearSessionCookies(ctx: Context, settings: CookieSettings): void {
  ctx.cookies.secure = settings.secure || ctx.secure;
  const expired = { secure: settings.secure, overwrite: true, expires: new Date(0), maxAge: undefined };
  ctx.cookies.set(COOKIE.access, '', { ...expired, httpOnly: true, sameSite: 'lax', path: '/' });
  ctx.cookies.set(COOKIE.refresh, '', { ...expired, httpOnly: true, sameSite: 'strict', path: '/auth' });
  ctx.cookies.set(COOKIE.csrf, '', { ...expired, httpOnly: false, sameSite: 'lax', path: '/' });
}
