import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two secrets (CSRF tokens, the metrics token). Digests first: equal
 * lengths for timingSafeEqual, and no early exit on a length mismatch.
 */
export const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
