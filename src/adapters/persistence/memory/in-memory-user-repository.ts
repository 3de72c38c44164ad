import type { Email } from '../../../domain/email.js';
import { EmailAlreadyRegisteredError } from '../../../domain/errors.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { Role } from '../../../domain/role.js';
import type { NewUser, User, UserChanges, UserSearch } from '../../../domain/user.js';
import { InMemoryAccounts, storedUser } from './in-memory-accounts.js';

/** Newest first: createdAt, then id, descending (ids compare as the SQL stores do: by code unit, ASCII ids). */
const newestFirst = (a: NewUser, b: NewUser): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export class InMemoryUserRepository implements UserRepository {
  constructor(private readonly accounts = new InMemoryAccounts()) {}

  create(input: NewUser): Promise<User> {
    const user = storedUser(input);
    const emailKey = user.email ?? undefined;
    if (this.accounts.users.has(user.id)) return Promise.reject(new Error(`duplicate user id ${user.id}`));
    if (emailKey !== undefined && this.accounts.userIdByEmail.has(emailKey)) {
      return Promise.reject(new EmailAlreadyRegisteredError());
    }
    this.accounts.users.set(user.id, user);
    if (emailKey !== undefined) this.accounts.userIdByEmail.set(emailKey, user.id);
    return Promise.resolve(this.view(user));
  }

  findById(id: string): Promise<User | null> {
    const user = this.accounts.users.get(id);
    return Promise.resolve(user ? this.view(user) : null);
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const user = this.accounts.users.get(id);
    if (user) this.accounts.users.set(id, { ...user, passwordHash });
    return Promise.resolve();
  }

  markEmailVerified(id: string, email: Email): Promise<boolean> {
    const user = this.accounts.users.get(id);
    if (!user || user.email !== email) return Promise.resolve(false);
    this.accounts.users.set(id, { ...user, emailVerified: true });
    return Promise.resolve(true);
  }

  changeEmail(id: string, email: Email): Promise<boolean> {
    const user = this.accounts.users.get(id);
    if (!user) return Promise.resolve(false);
    const holder = this.accounts.userIdByEmail.get(email);
    if (holder !== undefined && holder !== id) return Promise.reject(new EmailAlreadyRegisteredError());
    if (user.email !== null && this.accounts.userIdByEmail.get(user.email) === id) this.accounts.userIdByEmail.delete(user.email);
    this.accounts.userIdByEmail.set(email, id);
    this.accounts.users.set(id, { ...user, email, emailVerified: true });
    return Promise.resolve(true);
  }

  update(id: string, changes: UserChanges): Promise<User | null> {
    const user = this.accounts.users.get(id);
    if (!user) return Promise.resolve(null);
    const next: NewUser = {
      ...user,
      ...(changes.roles !== undefined && { roles: changes.roles }),
      ...(changes.disabled !== undefined && { disabled: changes.disabled }),
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.emailVerified !== undefined && { emailVerified: changes.emailVerified }),
    };
    this.accounts.users.set(id, storedUser(next));
    return this.findById(id);
  }

  recordSignIn(id: string, at: Date): Promise<void> {
    const user = this.accounts.users.get(id);
    if (user) this.accounts.users.set(id, { ...user, lastSignInAt: new Date(at) });
    return Promise.resolve();
  }

  search({ q, after, limit }: UserSearch): Promise<User[]> {
    const needle = q?.toLowerCase() ?? '';
    const matches = (u: NewUser): boolean =>
      needle === '' || (u.email?.toLowerCase().includes(needle) ?? false) || (u.name?.toLowerCase().includes(needle) ?? false);
    // Strictly past the cursor in the listing's order.
    const past = (u: NewUser): boolean =>
      after === undefined ||
      u.createdAt.getTime() < after.createdAt.getTime() ||
      (u.createdAt.getTime() === after.createdAt.getTime() && u.id < after.id);
    const found = [...this.accounts.users.values()].filter((u) => past(u) && matches(u)).sort(newestFirst);
    return Promise.resolve(found.slice(0, Math.max(0, limit)).map((u) => this.view(u)));
  }

  countEnabledWithRole(role: Role): Promise<number> {
    let n = 0;
    for (const user of this.accounts.users.values()) if (!user.disabled && user.roles.includes(role)) n++;
    return Promise.resolve(n);
  }

  delete(id: string): Promise<void> {
    const user = this.accounts.users.get(id);
    if (!user) return Promise.resolve();
    this.accounts.users.delete(id);
    const emailKey = user.email?.toLowerCase();
    if (emailKey !== undefined && this.accounts.userIdByEmail.get(emailKey) === id) this.accounts.userIdByEmail.delete(emailKey);
    for (const [key, identity] of this.accounts.identities) if (identity.userId === id) this.accounts.identities.delete(key);
    return Promise.resolve();
  }

  findByEmail(email: Email): Promise<User | null> {
    const id = this.accounts.userIdByEmail.get(email);
    return this.findById(id ?? '');
  }

  /** A copy, with the login of the user's GitHub identity when one is linked. */
  private view(user: NewUser): User {
    let githubLogin: string | null = null;
    for (const identity of this.accounts.identities.values()) {
      if (identity.userId === user.id && identity.provider === 'github') githubLogin = identity.login;
    }
    return { ...storedUser(user), githubLogin, mfa: this.accounts.mfaOf(user.id) };
  }
}
