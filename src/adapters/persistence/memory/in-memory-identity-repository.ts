import { EmailAlreadyRegisteredError, IdentityAlreadyLinkedError, UserNotFoundError } from '../../../domain/errors.js';
import type { IdentityProvider, LinkedIdentity } from '../../../domain/identity.js';
import type { IdentityRepository } from '../../../domain/ports/identity-repository.js';
import type { NewUser, User } from '../../../domain/user.js';
import { identityKey, InMemoryAccounts, storedUser } from './in-memory-accounts.js';
import { InMemoryUserRepository } from './in-memory-user-repository.js';

const copy = (i: LinkedIdentity): LinkedIdentity => ({ ...i, createdAt: new Date(i.createdAt) });

export class InMemoryIdentityRepository implements IdentityRepository {
  private readonly users: InMemoryUserRepository;

  constructor(private readonly accounts = new InMemoryAccounts()) {
    this.users = new InMemoryUserRepository(accounts);
  }

  find(provider: IdentityProvider, providerUserId: string): Promise<LinkedIdentity | null> {
    const identity = this.accounts.identities.get(identityKey(provider, providerUserId));
    return Promise.resolve(identity ? copy(identity) : null);
  }

  link(identity: LinkedIdentity): Promise<void> {
    if (!this.accounts.users.has(identity.userId)) return Promise.reject(new UserNotFoundError());
    if (this.conflicts(identity)) return Promise.reject(new IdentityAlreadyLinkedError());
    this.accounts.identities.set(identityKey(identity.provider, identity.providerUserId), copy(identity));
    return Promise.resolve();
  }

  createUserWithIdentity(user: NewUser, identity: LinkedIdentity): Promise<User> {
    // Every check, then every write, with no await in between: both or neither, even when calls overlap.
    if (this.accounts.users.has(user.id)) return Promise.reject(new Error(`duplicate user id ${user.id}`));
    if (this.conflicts(identity)) return Promise.reject(new IdentityAlreadyLinkedError());
    const emailKey = user.email ?? undefined;
    if (emailKey !== undefined && this.accounts.userIdByEmail.has(emailKey)) return Promise.reject(new EmailAlreadyRegisteredError());
    this.accounts.users.set(user.id, storedUser(user));
    if (emailKey !== undefined) this.accounts.userIdByEmail.set(emailKey, user.id);
    this.accounts.identities.set(identityKey(identity.provider, identity.providerUserId), copy(identity));
    return this.users.findById(user.id) as Promise<User>;
  }

  updateLogin(provider: IdentityProvider, providerUserId: string, login: string | null): Promise<void> {
    const key = identityKey(provider, providerUserId);
    const identity = this.accounts.identities.get(key);
    if (identity) this.accounts.identities.set(key, { ...identity, login });
    return Promise.resolve();
  }

  listByUser(userId: string): Promise<LinkedIdentity[]> {
    const mine = [...this.accounts.identities.values()].filter((i) => i.userId === userId);
    return Promise.resolve(mine.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(copy));
  }

  unlink(userId: string, provider: IdentityProvider): Promise<boolean> {
    const found = [...this.accounts.identities.values()].find((i) => i.userId === userId && i.provider === provider);
    if (found) this.accounts.identities.delete(identityKey(found.provider, found.providerUserId));
    return Promise.resolve(found !== undefined);
  }

  private conflicts(identity: LinkedIdentity): boolean {
    if (this.accounts.identities.has(identityKey(identity.provider, identity.providerUserId))) return true;
    return [...this.accounts.identities.values()].some((i) => i.userId === identity.userId && i.provider === identity.provider);
  }
}
