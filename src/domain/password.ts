import { ValidationFailedError } from './errors.js';
import { codePoints, hasControlCharacter, hasLoneSurrogate, utf8Length } from './text.js';

export const PASSWORD_MIN_CODE_POINTS = 8;
/** bcrypt reads at most 72 bytes; a longer password is refused, never silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

/**
 * A password that may be set (docs/http-api.md "Emails, passwords and names"): NFC-normalised, never trimmed,
 * 8 code points to 72 bytes of UTF-8, no control character. Only parseNewPassword makes one, and
 * PasswordHasher.hash takes only this, so what bcrypt stores is always the normalised form.
 * Whether it is weak is PasswordStrength's question, which needs the email and a list.
 */
export type NewPassword = string & { readonly __brand: 'NewPassword' };

/**
 * True when bcrypt sees exactly these characters: well-formed (a lone surrogate would be hashed
 * as U+FFFD), no control character (bcrypt stops at NUL, so "\0\0\0\0\0\0\0\0" would be the empty
 * password), at most 72 bytes (bcrypt ignores the rest).
 */
const hasherSeesAll = (password: string): boolean =>
  !hasControlCharacter(password) && !hasLoneSurrogate(password) && utf8Length(password) <= PASSWORD_MAX_BYTES;

/** Why a new password (as sent) is refused with VALIDATION_FAILED, or null. Measured on its NFC form. */
export function passwordProblem(raw: string): string | null {
  if (hasControlCharacter(raw)) return 'must not contain control characters';
  if (hasLoneSurrogate(raw)) return 'must be valid Unicode text';
  const password = raw.normalize('NFC');
  if (codePoints(password) < PASSWORD_MIN_CODE_POINTS) return `must be at least ${PASSWORD_MIN_CODE_POINTS} characters`;
  if (utf8Length(password) > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`;
  return null;
}

/** The NFC form of an acceptable new password; throws ValidationFailedError naming `field`. */
export function parseNewPassword(raw: string, field = 'password'): NewPassword {
  const problem = passwordProblem(raw);
  if (problem) throw new ValidationFailedError([{ field, message: problem }]);
  return raw.normalize('NFC') as NewPassword;
}

/**
 * What a sign-in (or a current password) is compared as: its NFC form, so a password typed in
 * NFD matches, with none of the new-password rules (an old password keeps working). Null when
 * bcrypt could not see it whole — over 72 bytes, a control character, a lone surrogate — or when
 * it is empty (no rule ever allowed one, and bcrypt takes "" for a stored "\0\0\0\0\0\0\0\0"):
 * such a password can never match, and is refused after the same bcrypt work as any failure.
 */
export function presentedPassword(raw: string): string | null {
  const password = raw.normalize('NFC');
  return password !== '' && hasherSeesAll(password) ? password : null;
}
