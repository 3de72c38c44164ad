import type { Email } from '../../../domain/email.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { NewUser, User } from '../../../domain/user.js';

const copy = (u: User): User => ({ ...u, createdAt: new Date(u.createdAt) });

export class InMemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByEmail = new Map<string, string>();

  create(input: NewUser): Promise<User> {
    const user: User = { ...input, githubLogin: null, createdAt: new Date(input.createdAt) };
    const emailKey = user.email?.toLowerCase();
    if (this.byId.has(user.id)) return Promise.reject(new Error(`duplicate user id ${user.id}`));
    if (emailKey !== undefined && this.idByEmail.has(emailKey)) {
      return Promise.reject(new EmailAlreadyRegisteredError());
    }
    this.byId.set(user.id, user);
    if (emailKey !== undefined) this.idByEmail.set(emailKey, user.id);
    return Promise.resolve(copy(user));
  }

  findById(id: string): Promise<User | null> {
    const user = this.byId.get(id);
    return Promise.resolve(user ? copy(user) : null);
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const user = this.byId.get(id);
    if (user) this.byId.set(id, { ...user, passwordHash });
    return Promise.resolve();
  }

  findByEmail(email: Email): Promise<User | null> {
    const id = this.idByEmail.get(email.toLowerCase());
    return this.findById(id ?? '');
  }
}
