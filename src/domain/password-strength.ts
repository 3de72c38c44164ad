import { localPartOf, tryParseEmail, type Email } from './email.js';
import { PasswordTooWeakError, type WeakPasswordReason } from './errors.js';
import type { NewPassword } from './password.js';
import type { CommonPasswordList } from './ports/common-password-list.js';

/**
 * The weak-password rule (docs/http-api.md "Emails, passwords and names"), asked only of a password that already
 * passed parseNewPassword, so a request with invalid fields gets VALIDATION_FAILED listing them
 * all before any PASSWORD_TOO_WEAK. Every comparison is case-insensitive. The first reason that
 * holds is given, cheapest first: the account's own email, the product's name, one repeated
 * character, then the list.
 */
export class PasswordStrength {
  private readonly appName: string;

  constructor(
    private readonly common: CommonPasswordList,
    appName: string,
  ) {
    this.appName = appName.normalize('NFC').toLowerCase();
  }

  /** Why `password` is too weak for the account with `email` (null: none yet), or null. */
  weakness(password: NewPassword, email: Email | null): WeakPasswordReason | null {
    const folded = password.toLowerCase();
    // The email in any form that names the same address (case, a Unicode or punycode domain), or its local part.
    if (email !== null && (folded === email || folded === localPartOf(email) || tryParseEmail(password) === email)) return 'email';
    if (folded === this.appName) return 'app_name';
    if (new Set(folded).size === 1) return 'repeated';
    if (this.common.isCommon(folded)) return 'common';
    return null;
  }

  /** Throws PasswordTooWeakError naming `field` when `password` is weak. */
  assertStrong(password: NewPassword, email: Email | null, field = 'password'): void {
    const reason = this.weakness(password, email);
    if (reason !== null) throw new PasswordTooWeakError(reason, field);
  }
}
