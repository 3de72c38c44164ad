import { normalizeEmail, tryParseEmail } from '../../domain/email.js';
import { AccountDisabledError, EmailNotVerifiedError, InvalidCredentialsError, TooManyAttemptsError } from '../../domain/errors.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Principal } from '../../domain/principal.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { ThrottledPasswordCheck } from './throttled-password-check.js';

export interface Credentials {
  readonly email: string;
  readonly password: string;
  /** Where the attempt comes from, for throttling. */
  readonly clientIp: string;
  readonly userAgent?: string | null;
}

export class AuthenticateWithPassword {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: ThrottledPasswordCheck,
    private readonly events: SecurityEvents,
    /** EMAIL_VERIFICATION=required: an unverified account's right password is EmailNotVerifiedError. */
    private readonly requireVerifiedEmail = false,
  ) {}

  /**
   * The principal whose credentials these are. Every failure is the same
   * InvalidCredentialsError after the same bcrypt work, so neither the answer nor its
   * timing tells an unknown email from a wrong password; a throttled pair gets
   * TooManyAttemptsError before any bcrypt work. Only the right password of an unverified
   * account learns EMAIL_NOT_VERIFIED, when verification is required.
   */
  async execute(credentials: Credentials): Promise<Principal> {
    // An address parseEmail refuses names no account; it is still throttled, under its normalised text.
    const email = tryParseEmail(credentials.email);
    const user = email === null ? null : await this.users.findByEmail(email);
    const attempt = { email: email ?? normalizeEmail(credentials.email), clientIp: credentials.clientIp };
    const seen = { userId: user?.id ?? null, ip: credentials.clientIp, userAgent: credentials.userAgent ?? null };
    let matches: boolean;
    try {
      matches = await this.passwords.verify(attempt, credentials.password, user?.passwordHash ?? null);
    } catch (err) {
      if (err instanceof TooManyAttemptsError) await this.events.record({ type: 'login.throttled', ...seen, detail: { retryAfterSeconds: err.retryAfterSeconds } });
      throw err;
    }
    if (!matches || !user) {
      await this.events.record({ type: 'login.failed', ...seen, detail: { method: 'password' } });
      throw new InvalidCredentialsError();
    }
    if (user.disabled) {
      await this.events.record({ type: 'login.failed', ...seen, detail: { method: 'password', reason: 'account_disabled' } });
      throw new AccountDisabledError();
    }
    if (this.requireVerifiedEmail && !user.emailVerified) {
      await this.events.record({ type: 'login.failed', ...seen, detail: { method: 'password', reason: 'email_not_verified' } });
      throw new EmailNotVerifiedError();
    }
    await this.events.record({ type: 'login.succeeded', ...seen, detail: { method: 'password' } });
    return { userId: user.id };
  }
}
