import { ValidationFailedError } from '../../domain/errors.js';

/**
 * A page cursor as clients see it: opaque (base64url of the last item's time and id). It only says
 * where the next page starts; a forged one starts a page elsewhere and grants nothing.
 */
export const encodeCursor = (at: Date, id: string): string => Buffer.from(JSON.stringify([at.getTime(), id]), 'utf8').toString('base64url');

/** The time and id a cursor names; VALIDATION_FAILED (`cursor`) for anything encodeCursor did not make. */
export function decodeCursor(cursor: string): { at: Date; id: string } {
  const refuse = () => new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor this service gave' }]);
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw refuse();
  const [ms, id] = parsed as unknown[];
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0 || typeof id !== 'string' || id.length === 0 || id.length > 64) throw refuse();
  return { at: new Date(ms), id };
}

/** `limit` from a query string: 1–100, 50 when absent; VALIDATION_FAILED otherwise. */
export function pageLimit(raw: string | string[] | undefined): number {
  if (raw === undefined) return 50;
  const n = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 100)) throw new ValidationFailedError([{ field: 'limit', message: 'must be a whole number from 1 to 100' }]);
  return n;
}
