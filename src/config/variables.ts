import { z } from 'zod';

/** How one environment variable is read: each capability's schema is built from these. */

export const int = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .transform((s) => s.trim())
    .pipe(z.string().regex(/^\d+$/, `must be a whole number from ${min} to ${max}`))
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const bool = (def: boolean) =>
  z
    .string()
    .default(String(def))
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
    .transform((s) => s === 'true' || s === '1' || s === 'yes');

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Unset and blank are the same: not given. */
export const optional = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s));

/**
 * What reading a capability found beyond each variable's own shape: problems stop the start (all
 * reported at once), warnings are development defaults or settings that cannot work, logged at start.
 */
export interface Findings {
  readonly problems: string[];
  readonly warnings: string[];
}
