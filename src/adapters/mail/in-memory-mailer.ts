import type { AccountMail, Mailer } from '../../domain/ports/mailer.js';

/** Keeps every mail it is handed, in order: the mailer of the core's unit tests. */
export class InMemoryMailer implements Mailer {
  readonly sent: AccountMail[] = [];

  send(mail: AccountMail): void {
    this.sent.push(mail);
  }

  /** The mails of one template, oldest first. */
  of<T extends AccountMail['template']>(template: T): Extract<AccountMail, { template: T }>[] {
    return this.sent.filter((m): m is Extract<AccountMail, { template: T }> => m.template === template);
  }
}
