import { parseDisplayName } from '../../domain/display-name.js';
import { parseEmail } from '../../domain/email.js';
import { parseFields } from '../../domain/parse-fields.js';
import { parseNewPassword } from '../../domain/password.js';
import type { PasswordStrength } from '../../domain/password-strength.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { IdGenerator } from '../../domain/ports/id-generator.js';
import type { PasswordHasher } from '../../domain/ports/password-hasher.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { User } from '../../domain/user.js';

export interface RegisterUserInput {
  readonly email: string;
  readonly password: string;
  readonly name?: string | null;
}

export class RegisterUser {

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly strength: PasswordStrength,
  ) {}

  /** The fields as they would be stored; ValidationFailedError naming every invalid one. Asks nothing of a store. */
  validate(input: RegisterUserInput) {
    const [email, password, name] = parseFields(
      () => parseEmail(input.email),
      () => parseNewPassword(input.password),
      () => parseDisplayName(input.name),
    );
    return { email, password, name };
  }

  /**
   * Creates an account; throws ValidationFailedError (every invalid field at once), then
   * PasswordTooWeakError (asked only when every field is valid), or EmailAlreadyRegisteredError.
   */
  async execute(input: RegisterUserInput): Promise<User> {
    const { email, password, name } = this.validate(input);
    this.strength.assertStrong(password, email);
    const passwordHash = await this.hasher.hash(password);
    const now = this.clock.now();
    // A registration counts as a sign-in (lastSignInAt).
    return this.users.create({ id: this.ids.newId(), email, name, passwordHash, emailVerified: false, roles: [], disabled: false, lastSignInAt: now, createdAt: now });
  }
}
