import { normalizeEmail, tryParseEmail } from '../domain/email.js';
import { InvalidCredentialsError } from '../domain/errors.js';
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
  ) {}

  /**
   * The principal whose credentials these are. Every failure is the same
   * InvalidCredentialsError after the same bcrypt work, so neither the answer nor its
   * timing tells an unknown email from a wrong password; a throttled pair gets
   * TooManyAttemptsError before any bcrypt work.
   */
  async execute(credentials: Credentials): Promise<Principal> {
    // An address parseEmail refuses names no account; it is still throttled, under its normalised text.
    const email = tryParseEmail(credentials.email);
    const user = email === null ? null : await this.users.findByEmail(email);
    const attempt = { email: email ?? normalizeEmail(credentials.email), clientIp: credentials.clientIp };
    const matches = await this.passwords.verify(attempt, credentials.password, user?.passwordHash ?? null);
    if (!matches || !user) throw new InvalidCredentialsError();
    return { userId: user.id };
  }
}
