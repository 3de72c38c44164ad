import { parseEmail } from '../../domain/email.js';
import type { BackgroundWork } from '../../domain/ports/background-work.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { MailThrottle } from '../../domain/ports/mail-throttle.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { EmailLinks } from './email-links.js';
import { admitMail } from './mail-allowance.js';

export interface ForgotPasswordInput {
  readonly email: string;
  readonly clientIp: string;
}

/**
 * POST /auth/password/forgot: a reset link to the address when an account has it. The caller
 * learns nothing either way: the same answer after the same work (the throttle, one lookup); the
 * token, the mail and the event of a known address are made in the background, after the answer.
 */
export class ForgotPassword {
  constructor(
    private readonly users: UserRepository,
    private readonly links: EmailLinks,
    private readonly mailer: Mailer,
    private readonly throttle: MailThrottle,
    private readonly events: SecurityEvents,
    private readonly background: BackgroundWork,
  ) {}

  async execute(input: ForgotPasswordInput): Promise<void> {
    const email = parseEmail(input.email);
    await admitMail(this.throttle, email, input.clientIp);
    const user = await this.users.findByEmail(email);
    if (!user || user.email === null) return;
    const to = user.email;
    this.background.run('password.reset_requested', async () => {
      const token = await this.links.issue('reset_password', user.id, to);
      this.mailer.send({ template: 'reset_password', to, token });
      await this.events.record({ type: 'password.reset_requested', userId: user.id, ip: input.clientIp });
    });
  }
}
