import { emailProblem, normalizeEmail, type Email } from '../domain/email.js';
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
    const email = normalizeEmail(credentials.email);
    const user = emailProblem(email) === null ? await this.users.findByEmail(email as Email) : null;
    const attempt = { email, clientIp: credentials.clientIp };
    const matches = await this.passwords.verify(attempt, credentials.password, user?.passwordHash ?? null);
    if (!matches || !user) throw new InvalidCredentialsError();
    return { userId: user.id };
  }
}
