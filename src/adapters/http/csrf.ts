import { createHmac, type KeyObject } from 'node:crypto';
import type { Context } from 'koa';
import { HttpProblemError } from './problem.js';
import { sameSecret } from './same-secret.js';
import { COOKIE } from './cookie-names.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The CSRF token of a session: an HMAC of its id under a server key. The same for the life of
 * the session (refreshes keep it), new with every sign-in (a new session), and impossible to make
 * without the key, so a value planted by a sibling subdomain or taken from another session fails.
 */
export const csrfTokenFor = (key: KeyObject, sessionId: string): string => createHmac('sha256', key).update(sessionId, 'utf8').digest('base64url');

/**
 * The `sid` claim of a token that has NOT been verified yet, or null. Used only to choose which
 * CSRF token to expect, before the strategy runs (so a forged request never reaches the token
 * store and its reuse detection). That is safe: the expected value is an HMAC under a key only
 * the server holds, so naming another session in a forged token only makes the expected value
 * one the sender cannot know; and a token that passes here still has its signature, claims and
 * session checked by the strategy before it authenticates anything.
 */
function unverifiedSessionId(token: string): string | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const sid = typeof claims === 'object' && claims !== null ? (claims as { sid?: unknown }).sid : undefined;
    return typeof sid === 'string' && sid !== '' ? sid : null;
  } catch {
    return null;
  }
}

/**
 * CSRF check for a request authenticated by the cookie token `token`: an unsafe method must carry
 * `X-CSRF-Token` equal to the `csrf_token` cookie, and both must be the CSRF token of the session
 * that token names (a double submit bound to the session).
 */
export function assertCsrf(ctx: Context, key: KeyObject, token: string): void {
  if (!UNSAFE.has(ctx.method)) return;
  const header = ctx.get('X-CSRF-Token');
  const cookie = ctx.cookies.get(COOKIE.csrf);
  const sessionId = unverifiedSessionId(token);
  const expected = sessionId === null ? null : csrfTokenFor(key, sessionId);
  // Both comparisons always run, in constant time, so the answer's timing tells nothing.
  const headerOk = sameSecret(header, expected ?? '');
  const cookieOk = sameSecret(cookie ?? '', expected ?? '');
  if (expected === null || !header || !headerOk || !cookieOk) {
    throw new HttpProblemError(
      'CSRF_FAILED',
      'A request authenticated by cookie must carry X-CSRF-Token equal to the csrf_token cookie of its session',
    );
  }
}
