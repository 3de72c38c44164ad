import { parseEmail } from '../../domain/email.js';
import { EmailAlreadyRegisteredError, InvalidTokenError, ValidationFailedError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { MailThrottle } from '../../domain/ports/mail-throttle.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { ThrottledPasswordCheck } from '../passwords/throttled-password-check.js';
import type { EmailLinks } from './email-links.js';
import { admitMail } from './mail-allowance.js';

export interface RequestEmailChangeInput {
  readonly principal: Principal;
  readonly newEmail: string;
  /** Required when the account has a password; a wrong one counts as a failed sign-in. */
  readonly currentPassword?: string | null;
  readonly clientIp: string;
}

/**
 * POST /auth/email/change: nothing changes yet. The new address gets a link that proves it; the
 * old one is told, so a hijacked session cannot move the account away unnoticed.
 */
export class RequestEmailChange {
  constructor(
    private readonly users: UserRepository,
    private readonly links: EmailLinks,
    private readonly passwords: ThrottledPasswordCheck,
    private readonly mailer: Mailer,
    private readonly throttle: MailThrottle,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: RequestEmailChangeInput): Promise<void> {
    const newEmail = parseEmail(input.newEmail, 'newEmail');
    const user = await this.users.findById(input.principal.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    if (user.passwordHash !== null) {
      if (!input.currentPassword) throw new ValidationFailedError([{ field: 'currentPassword', message: 'is required' }]);
      await this.passwords.confirmCurrent(user, input.currentPassword, input.clientIp);
    }
    // A taken address is 409 before the allowance is asked: no mail would follow it.
    if (newEmail === user.email || (await this.users.findByEmail(newEmail))) throw new EmailAlreadyRegisteredError();
    await admitMail(this.throttle, newEmail, input.clientIp);
    const token = await this.links.issue('change_email', user.id, newEmail);
    this.mailer.send({ template: 'confirm_email_change', to: newEmail, token, oldEmail: user.email });
    if (user.email !== null) this.mailer.send({ template: 'email_change_requested', to: user.email, newEmail });
    await this.events.record({ type: 'email.change_requested', userId: user.id, sessionId: input.principal.sessionId ?? null, ip: input.clientIp });
  }
}
