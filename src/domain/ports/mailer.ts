import type { Email } from '../email.js';

/**
 * The mails the service sends. The use cases say which mail and to whom; the adapter owns the
 * wording (templates a deployer can change), the product name, the sender and the link base URL.
 */
export type AccountMail =
  /** Proves the account's address: a link to `/verify-email#token=…`. */
  | { readonly template: 'verify_email'; readonly to: Email; readonly token: string }
  /** A link to `/reset-password#token=…`. */
  | { readonly template: 'reset_password'; readonly to: Email; readonly token: string }
  /** To the new address of an email change: a link to `/confirm-email#token=…`. */
  | { readonly template: 'confirm_email_change'; readonly to: Email; readonly token: string; readonly oldEmail: Email | null }
  /** To the old address: a change to `newEmail` was asked for (nothing changed yet). */
  | { readonly template: 'email_change_requested'; readonly to: Email; readonly newEmail: Email }
  /** To the old address: the account now signs in with `newEmail`. */
  | { readonly template: 'email_changed'; readonly to: Email; readonly newEmail: Email }
  /** The password was changed or reset; every session ended. */
  | { readonly template: 'password_changed'; readonly to: Email };

export type MailTemplate = AccountMail['template'];

export interface Mailer {
  /**
   * Hands the mail over for delivery and returns at once: a delivery that fails is retried and
   * logged by the adapter, never reported to the caller, so no answer depends on the mail.
   */
  send(mail: AccountMail): void;
}
