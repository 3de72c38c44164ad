import { emailProblem, normalizeEmail, type Email } from '../domain/email.js';
import { InvalidCredentialsError } from '../domain/errors.js';
import { fitsHasher } from '../domain/password.js';
import type { Principal } from '../domain/principal.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { UserRepository } from '../domain/ports/user-repository.js';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export class AuthenticateWithPassword {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * The principal whose credentials these are. Every failure is the same
   * InvalidCredentialsError after the same bcrypt work, so neither the answer nor its
   * timing tells an unknown email from a wrong password.
   */
  async execute(credentials: Credentials): Promise<Principal> {
    const email = normalizeEmail(credentials.email);
    const user = emailProblem(email) === null ? await this.users.findByEmail(email as Email) : null;
    // A password bcrypt would truncate can never match: refuse it after the same work.
    const hash = fitsHasher(credentials.password) ? (user?.passwordHash ?? null) : null;
    const matches = await this.hasher.verify(credentials.password, hash);
    if (!matches || !user) throw new InvalidCredentialsError();
    return { userId: user.id };
  }
}
