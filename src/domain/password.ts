import { ValidationFailedError } from './errors.js';

export const PASSWORD_MIN_CODE_POINTS = 8;
/** bcrypt reads at most 72 bytes; a longer password is refused, never silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** Why a new password is refused, or null. Passwords are never trimmed. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN_CODE_POINTS) {
    return `must be at least ${PASSWORD_MIN_CODE_POINTS} characters`;
  }
  if (utf8Length(password) > PASSWORD_MAX_BYTES) {
    return `must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`;
  }
  return null;
}

/** True when bcrypt would see the whole password; a longer one can never log in. */
export const fitsHasher = (password: string): boolean => utf8Length(password) <= PASSWORD_MAX_BYTES;

export function assertAcceptablePassword(password: string, field = 'password'): void {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationFailedError([{ field, message: problem }]);
}
