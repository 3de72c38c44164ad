import { AMR } from '../../domain/mfa.js';
import { EmailAlreadyRegisteredError, TooManyAttemptsError, TooManyEmailsError } from '../../domain/errors.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { MailThrottle } from '../../domain/ports/mail-throttle.js';
import type { LoginThrottle } from '../../domain/ports/login-throttle.js';
import type { RegistrationThrottle } from '../../domain/ports/registration-throttle.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { IssueSession } from '../sessions/issue-session.js';
import type { RegisterUser, RegisterUserInput } from './register-user.js';
import type { SessionTokens } from '../sessions/session-token-minter.js';
import type { EmailLinks } from '../email/email-links.js';
import type { EmailVerificationMode } from '../../domain/email-verification.js';
import type { User } from '../../domain/user.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';

export interface SignUpMail {
  readonly mode: EmailVerificationMode;
  readonly links: EmailLinks;
  readonly mailer: Mailer;
  readonly throttle: MailThrottle;
}

/** A new account, and its first session unless EMAIL_VERIFICATION=required holds it back. */
export interface SignUpResult {
  readonly user: User;
  readonly tokens: SessionTokens | null;
}

export interface SignUpInput {
  /** Where the attempt comes from, for REGISTER_PER_IP_PER_HOUR and the owner's known addresses. */
  readonly clientIp: string;
  readonly userAgent?: string | null;
  /** Reads (and may refuse) the request; called once the attempt is counted, so a malformed one counts too. */
  readonly read: () => RegisterUserInput;
}

/**
 * POST /auth/register: an account and its first session, or nothing. Every attempt from an
 * address counts against REGISTER_PER_IP_PER_HOUR (successes, 409s and 400s alike) and past it
 * is refused before bcrypt runs. An account whose first session cannot be started (a store
 * outage) is removed again, so the client's retry registers it afresh rather than meeting 409.
 * Unless EMAIL_VERIFICATION=off, a new account is a request for a verification mail too: past the
 * mail allowance of the address or the client, 429 TOO_MANY_EMAILS and nothing is made; a new
 * account counts in it. A taken address is 409 as ever (no mail could follow, so nothing counts).
 */
export class SignUp {
  constructor(
    private readonly registrations: RegistrationThrottle,
    private readonly registerUser: RegisterUser,
    private readonly issueSession: IssueSession,
    private readonly users: UserRepository,
    private readonly logins: LoginThrottle,
    private readonly mail: SignUpMail,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: SignUpInput): Promise<SignUpResult> {
    const wait = await this.registrations.admit(input.clientIp);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const request = input.read();
    const mailing = this.mail.mode !== 'off';
    if (mailing) {
      const { email } = this.registerUser.validate(request);
      const mailWait = await this.mail.throttle.retryAfter(email, input.clientIp);
      // A taken address is 409 whatever the allowance: no mail would follow it.
      if (mailWait > 0) throw (await this.users.findByEmail(email)) ? new EmailAlreadyRegisteredError() : new TooManyEmailsError(mailWait);
    }
    const user = await this.registerUser.execute(request);
    try {
      // A registration counts as a sign-in from this address (docs/security.md, Throttling: per account).
      if (user.email !== null) await this.logins.recordSignUp({ email: user.email, clientIp: input.clientIp });
      const tokens = this.mail.mode === 'required' ? null : await this.issueSession.execute({ userId: user.id, userAgent: input.userAgent ?? null, amr: [AMR.password] });
      if (mailing && user.email !== null) {
        await this.mail.throttle.admit(user.email, input.clientIp);
        const token = await this.mail.links.issue('verify_email', user.id, user.email);
        this.mail.mailer.send({ template: 'verify_email', to: user.email, token });
      }
      await this.events.record({ type: 'user.registered', userId: user.id, sessionId: tokens?.sessionId ?? null, ip: input.clientIp, userAgent: input.userAgent ?? null });
      return { user, tokens };
    } catch (err) {
      // If the removal fails too (both stores down), the answer is still the first failure's.
      await this.users.delete(user.id).catch(() => undefined);
      throw err;
    }
  }
}
