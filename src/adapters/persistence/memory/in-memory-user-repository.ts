import type { Email } from '../../../domain/email.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { NewUser, User } from '../../../domain/user.js';

export class InMemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByEmail = new Map<string, string>();

  create(input: NewUser): Promise<User> {
    const user: User = { ...input, githubLogin: input.githubLogin ?? null };
    const emailKey = user.email?.toLowerCase();
    if (emailKey !== undefined && this.idByEmail.has(emailKey)) {
      return Promise.reject(new EmailAlreadyRegisteredError());
    }
    this.byId.set(user.id, user);
    if (emailKey !== undefined) this.idByEmail.set(emailKey, user.id);
    return Promise.resolve({ ...user });
  }

  findById(id: string): Promise<User | null> {
    const user = this.byId.get(id);
    return Promise.resolve(user ? { ...user } : null);
  }

  findByEmail(email: Email): Promise<User | null> {
    const id = this.idByEmail.get(email.toLowerCase());
    return this.findById(id ?? '');
  }
}
