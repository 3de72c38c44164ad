import type { Email } from './email.js';

/**
 * What an email token proves (docs/http-api.md "Email"): that its holder reads `email` —
 * to verify the account's address, to reset its password, or to move the account to a new address.
 */
export type EmailTokenKind = 'verify_email' | 'reset_password' | 'change_email';

export const EMAIL_TOKEN_KINDS: readonly EmailTokenKind[] = ['verify_email', 'reset_password', 'change_email'];

/**
 * One email token as a store keeps it: never the token itself, only its SHA-256 digest (a
 * database leak spends no link), with the address it was mailed to and its lifetime.
 */
export interface EmailTokenRecord {
  /** SHA-256 of the token, lower-case hex (64 characters). */
  readonly digest: string;
  readonly kind: EmailTokenKind;
  readonly userId: string;
  /** The address the token was mailed to: the account's own, or the new one of an email change. */
  readonly email: Email;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}
