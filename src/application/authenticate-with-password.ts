import { normalizeEmail, tryParseEmail } from '../domain/email.js';
import { EmailNotVerifiedError, InvalidCredentialsError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { ThrottledPasswordCheck } from './throttled-password-check.js';

export interface Credentials {
  readonly email: string;
  readonly password: string;
  /** Where the attempt comes from, for throttling. */
  readonly clientIp: string;
}

export class AuthenticateWithPassword {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: ThrottledPasswordCheck,
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
    const matches = await this.passwords.verify(attempt, credentials.password, user?.passwordHash ?? null);
    if (!matches || !user) throw new InvalidCredentialsError();
    if (this.requireVerifiedEmail && !user.emailVerified) throw new EmailNotVerifiedError();
    return { userId: user.id };
  }
}
