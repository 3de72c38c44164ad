import { parseEmail } from '../../../../src/domain/email.js';
import type { AccountMail, MailTemplate } from '../../../../src/domain/ports/mailer.js';
import type { MailSettings } from '../../../../src/adapters/mail/render-mail.js';

export const SETTINGS: MailSettings = {
  appName: 'Acme Login',
  from: 'Acme Login <no-reply@acme.test>',
  linkBaseUrl: 'https://auth.acme.test',
  verificationTtlSeconds: 86_400,
  resetTtlSeconds: 1800,
};

export const TOKEN = 'tok_Sup3rSecret-abc_123';
export const ALICE = parseEmail('alice@example.com');
export const ALICE_NEW = parseEmail('alice.new@example.org');

/** One mail of each template, with a token where the template carries one. */
export const ONE_OF_EACH: Readonly<Record<MailTemplate, AccountMail>> = {
  verify_email: { template: 'verify_email', to: ALICE, token: TOKEN },
  reset_password: { template: 'reset_password', to: ALICE, token: TOKEN },
  confirm_email_change: { template: 'confirm_email_change', to: ALICE_NEW, token: TOKEN, oldEmail: ALICE },
  email_change_requested: { template: 'email_change_requested', to: ALICE, newEmail: ALICE_NEW },
  email_changed: { template: 'email_changed', to: ALICE, newEmail: ALICE_NEW },
  password_changed: { template: 'password_changed', to: ALICE },
};
