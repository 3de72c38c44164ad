import { emailProblem, normalizeEmail, parseEmail } from '../domain/email.js';
import { ValidationFailedError, type FieldProblem } from '../domain/errors.js';
import { passwordProblem } from '../domain/password.js';
import type { Clock } from '../domain/ports/clock.js';
import type { IdGenerator } from '../domain/ports/id-generator.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import { nameProblem, type User } from '../domain/user.js';

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
  ) {}

  /** Creates an account; throws ValidationFailedError or EmailAlreadyRegisteredError. */
  async execute(input: RegisterUserInput): Promise<User> {
    const problems: FieldProblem[] = [];
    const emailIssue = emailProblem(normalizeEmail(input.email));
    if (emailIssue) problems.push({ field: 'email', message: emailIssue });
    const passwordIssue = passwordProblem(input.password);
    if (passwordIssue) problems.push({ field: 'password', message: passwordIssue });
    const nameIssue = input.name == null ? null : nameProblem(input.name);
    if (nameIssue) problems.push({ field: 'name', message: nameIssue });
    if (problems.length > 0) throw new ValidationFailedError(problems);

    const email = parseEmail(input.email);
    const passwordHash = await this.hasher.hash(input.password);
    return this.users.create({
      id: this.ids.newId(),
      email,
      name: input.name ?? null,
      passwordHash,
      createdAt: this.clock.now(),
    });
  }
}
