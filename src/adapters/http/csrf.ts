import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { HttpProblemError } from './problem.js';
import { COOKIE } from './strategies/token-extractors.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// Digests first: equal lengths for timingSafeEqual, and no early exit on a length mismatch.
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/**
 * Double-submit CSRF check for a request authenticated by cookie: an unsafe method must carry
 * `X-CSRF-Token` equal to the `csrf_token` cookie, which another site can neither read nor set.
 */
export function assertCsrf(ctx: Context): void {
  if (!UNSAFE.has(ctx.method)) return;
  const header = ctx.get('X-CSRF-Token');
  const cookie = ctx.cookies.get(COOKIE.csrf);
  if (!header || !cookie || !sameSecret(header, cookie)) {
    throw new HttpProblemError('CSRF_FAILED', 'A request authenticated by cookie must carry X-CSRF-Token equal to the csrf_token cookie');
  }
}
