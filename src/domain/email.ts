import { ValidationFailedError } from './errors.js';

export const EMAIL_MAX_LENGTH = 254;

// Deliberately permissive (one @, a dotted domain, no spaces): the mailbox is the real check.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;

/** The canonical form an email is stored and compared in: trimmed and lower-cased. */
export const normalizeEmail = (raw: string): string => raw.trim().toLowerCase();

/** Why a (normalised) email is refused, or null when it is acceptable. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'is required';
  if (email.length > EMAIL_MAX_LENGTH) return `must be at most ${EMAIL_MAX_LENGTH} characters`;
  if (!EMAIL_SHAPE.test(email)) return 'must be an email address';
  return null;
}

/** A validated, normalised email address. */
export type Email = string & { readonly __brand: 'Email' };

export function parseEmail(raw: string, field = 'email'): Email {
  const email = normalizeEmail(raw);
  const problem = emailProblem(email);
  if (problem) throw new ValidationFailedError([{ field, message: problem }]);
  return email as Email;
}
