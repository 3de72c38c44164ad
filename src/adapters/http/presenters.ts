import type { Context } from 'koa';
import type { SessionSummary } from '../../application/sessions/list-sessions.js';
import type { SessionTokens } from '../../application/sessions/session-token-minter.js';
import type { SecurityEvent } from '../../domain/security-event.js';
import type { User } from '../../domain/user.js';
import { authSourceOf } from './authenticate.js';
import { clearSessionCookies, setSessionCookies, type CookieSettings } from './cookies.js';
import { deviceLabel } from './device-label.js';

/** The public user: nothing secret (no hash) ever leaves the server. */
export const presentUser = (user: User) => ({
  id: user.id,
  email: user.email,
  emailVerified: user.emailVerified,
  name: user.name,
  githubLogin: user.githubLogin,
  roles: [...user.roles],
  mfa: { totp: user.mfa.totp, passkeys: user.mfa.passkeys },
  createdAt: user.createdAt.toISOString(),
});

/** What an administrator sees of a user: the public user, and whether it may sign in and when it last did. */
export const presentAdminUser = (user: User) => ({
  ...presentUser(user),
  disabled: user.disabled,
  lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
});

export const presentEvent = (e: SecurityEvent) => ({
  id: e.id,
  at: e.at.toISOString(),
  type: e.type,
  userId: e.userId,
  actorId: e.actorId,
  sessionId: e.sessionId,
  ip: e.ip,
  userAgent: e.userAgent,
  detail: e.detail,
});

export const presentSession = (s: SessionSummary) => ({
  id: s.id,
  createdAt: s.createdAt.toISOString(),
  lastUsedAt: s.lastUsedAt.toISOString(),
  userAgent: s.userAgent,
  device: deviceLabel(s.userAgent),
  current: s.current,
});

/** Cookie mode when asked for (`X-Auth-Mode: cookie`) or when a cookie authenticated the request. */
export const wantsCookies = (ctx: Context): boolean =>
  authSourceOf(ctx.state) === 'cookie' || ctx.get('X-Auth-Mode').trim().toLowerCase() === 'cookie';

/**
 * Answers with a session's tokens: in the body (Bearer mode) or as cookies with no token in
 * the body (cookie mode). Never cached (RFC 6749 §5.1). The CSRF cookie is the session's own
 * token: new at a sign-in (a new session), the same after a refresh (the same session).
 */
export function sendTokens(ctx: Context, cookies: CookieSettings, status: number, tokens: SessionTokens, mode?: 'bearer' | 'cookie'): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  if (mode === undefined ? wantsCookies(ctx) : mode === 'cookie') {
    setSessionCookies(ctx, cookies, tokens);
    ctx.body = { user: presentUser(tokens.user), expiresIn: tokens.expiresIn };
    return;
  }
  ctx.body = {
    user: presentUser(tokens.user),
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: 'Bearer',
    expiresIn: tokens.expiresIn,
  };
}

/** 204 after a session ended; a browser's cookies go with it. */
export function sendSignedOut(ctx: Context, cookies: CookieSettings): void {
  clearSessionCookies(ctx, cookies);
  ctx.status = 204;
}
