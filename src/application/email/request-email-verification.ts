import { EmailAlreadyVerifiedError, InvalidTokenError, ValidationFailedError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { MailThrottle } from '../../domain/ports/mail-throttle.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { EmailLinks } from './email-links.js';
import { admitMail } from './mail-allowance.js';

export interface RequestEmailVerificationInput {
  readonly principal: Principal;
  readonly clientIp: string;
}

/** POST /auth/email/verification: a new verification link to the account's address (older ones stop working). */
export class RequestEmailVerification {
  constructor(
    private readonly users: UserRepository,
    private readonly links: EmailLinks,
    private readonly mailer: Mailer,
    private readonly throttle: MailThrottle,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: RequestEmailVerificationInput): Promise<void> {
    const user = await this.users.findById(input.principal.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    if (user.email === null) throw new ValidationFailedError([{ field: 'email', message: 'the account has no email address to verify' }]);
    if (user.emailVerified) throw new EmailAlreadyVerifiedError();
    await admitMail(this.throttle, user.email, input.clientIp);
    const token = await this.links.issue('verify_email', user.id, user.email);
    this.mailer.send({ template: 'verify_email', to: user.email, token });
    await this.events.record({ type: 'email.verification_requested', userId: user.id, sessionId: input.principal.sessionId ?? null, ip: input.clientIp });
  }
}
