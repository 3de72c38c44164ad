import type { NewPassword } from '../password.js';

export interface PasswordHasher {
  /** A salted one-way hash of the password (only a parsed, NFC-normalised one is ever stored). */
  hash(password: NewPassword): Promise<string>;
  /**
   * True when the password matches the hash. With a null hash (no such account) it spends the
   * same time against a dummy hash and returns false, so timing does not reveal accounts.
   */
  verify(password: string, hash: string | null): Promise<boolean>;
}
