import type { Email } from '../../../domain/email.js';
import type { IdentityProvider, LinkedIdentity } from '../../../domain/identity.js';
import type { IdentityRepository } from '../../../domain/ports/identity-repository.js';
import type { UserRepository } from '../../../domain/ports/user-repository.js';
import type { PasskeyStore } from '../../../domain/ports/passkey-store.js';
import type { TotpFactorStore } from '../../../domain/ports/totp-factor-store.js';
import type { Passkey } from '../../../domain/passkey.js';
import type { TotpFactor } from '../../../domain/mfa.js';
import type { Role } from '../../../domain/role.js';
import type { NewUser, User, UserChanges, UserSearch } from '../../../domain/user.js';
import { ReadThroughCache, type ReadThroughCacheOptions } from './read-through-cache.js';

const copy = (u: User): User => ({
  ...u,
  mfa: { ...u.mfa },
  roles: [...u.roles],
  lastSignInAt: u.lastSignInAt === null ? null : new Date(u.lastSignInAt),
  createdAt: new Date(u.createdAt),
});

/** Users by id, cached; the user and identity repositories below invalidate it on every write. */
export class UserCache extends ReadThroughCache<User> {
  constructor(options: ReadThroughCacheOptions) {
    super(options, copy);
  }
}

/** `findById` from memory for a short while (GET /auth/me loads the user on every call). */
export class CachingUserRepository implements UserRepository {
  constructor(
    private readonly inner: UserRepository,
    private readonly cache: UserCache,
  ) {}

  create(user: NewUser): Promise<User> {
    this.cache.invalidate(user.id);
    return this.inner.create(user);
  }

  findById(id: string): Promise<User | null> {
    return this.cache.get(id, () => this.inner.findById(id));
  }

  // By email is how sign-in finds an account: always asked of the store.
  findByEmail(email: Email): Promise<User | null> {
    return this.inner.findByEmail(email);
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    return this.cache.writing(id, () => this.inner.updatePasswordHash(id, passwordHash));
  }

  markEmailVerified(id: string, email: Email): Promise<boolean> {
    return this.cache.writing(id, () => this.inner.markEmailVerified(id, email));
  }

  changeEmail(id: string, email: Email): Promise<boolean> {
    return this.cache.writing(id, () => this.inner.changeEmail(id, email));
  }

  update(id: string, changes: UserChanges): Promise<User | null> {
    return this.cache.writing(id, () => this.inner.update(id, changes));
  }

  recordSignIn(id: string, at: Date): Promise<void> {
    return this.cache.writing(id, () => this.inner.recordSignIn(id, at));
  }

  // Listings and counts (admin pages, the last-admin check) are always asked of the store.
  search(query: UserSearch): Promise<User[]> {
    return this.inner.search(query);
  }

  countEnabledWithRole(role: Role): Promise<number> {
    return this.inner.countEnabledWithRole(role);
  }

  delete(id: string): Promise<void> {
    return this.cache.writing(id, () => this.inner.delete(id));
  }
}

/** Identity writes change a user's `githubLogin`: they invalidate that user's cached copy. */
export class CachingIdentityRepository implements IdentityRepository {
  constructor(
    private readonly inner: IdentityRepository,
    private readonly cache: UserCache,
  ) {}

  find(provider: IdentityProvider, providerUserId: string): Promise<LinkedIdentity | null> {
    return this.inner.find(provider, providerUserId);
  }

  link(identity: LinkedIdentity): Promise<void> {
    return this.cache.writing(identity.userId, () => this.inner.link(identity));
  }

  async createUserWithIdentity(user: NewUser, identity: LinkedIdentity): Promise<User> {
    this.cache.invalidate(user.id);
    return this.inner.createUserWithIdentity(user, identity);
  }

  async updateLogin(provider: IdentityProvider, providerUserId: string, login: string | null): Promise<void> {
    const identity = await this.inner.find(provider, providerUserId);
    const write = () => this.inner.updateLogin(provider, providerUserId, login);
    await (identity ? this.cache.writing(identity.userId, write) : write());
  }

  listByUser(userId: string): Promise<LinkedIdentity[]> {
    return this.inner.listByUser(userId);
  }

  unlink(userId: string, provider: IdentityProvider): Promise<boolean> {
    return this.cache.writing(userId, () => this.inner.unlink(userId, provider));
  }
}

/** Passkey writes change a user's `mfa.passkeys`: they invalidate that user's cached copy. */
export class CachingPasskeyStore implements PasskeyStore {
  constructor(
    private readonly inner: PasskeyStore,
    private readonly cache: UserCache,
  ) {}

  add(passkey: Passkey): Promise<boolean> {
    return this.cache.writing(passkey.userId, () => this.inner.add(passkey));
  }
  listFor(userId: string): Promise<Passkey[]> {
    return this.inner.listFor(userId);
  }
  countFor(userId: string): Promise<number> {
    return this.inner.countFor(userId);
  }
  findById(id: string): Promise<Passkey | null> {
    return this.inner.findById(id);
  }
  removeFor(userId: string, id: string): Promise<boolean> {
    return this.cache.writing(userId, () => this.inner.removeFor(userId, id));
  }
  recordUse(id: string, counter: number, at: Date): Promise<boolean> {
    return this.inner.recordUse(id, counter, at);
  }
}

/** Turning TOTP on or off changes a user's `mfa.totp`: those writes invalidate that user's cached copy. */
export class CachingTotpFactorStore implements TotpFactorStore {
  constructor(
    private readonly inner: TotpFactorStore,
    private readonly cache: UserCache,
  ) {}

  find(userId: string): Promise<TotpFactor | null> {
    return this.inner.find(userId);
  }
  savePending(factor: TotpFactor): Promise<boolean> {
    return this.cache.writing(factor.userId, () => this.inner.savePending(factor));
  }
  confirm(userId: string, sealedSecret: string, step: number, digests: readonly string[], at: Date): Promise<boolean> {
    return this.cache.writing(userId, () => this.inner.confirm(userId, sealedSecret, step, digests, at));
  }
  acceptStep(userId: string, step: number): Promise<boolean> {
    return this.inner.acceptStep(userId, step);
  }
  spendRecoveryCode(userId: string, digest: string, at: Date): Promise<boolean> {
    return this.inner.spendRecoveryCode(userId, digest, at);
  }
  recoveryCodesLeft(userId: string): Promise<number> {
    return this.inner.recoveryCodesLeft(userId);
  }
  remove(userId: string): Promise<boolean> {
    return this.cache.writing(userId, () => this.inner.remove(userId));
  }
  sampleSealedSecrets(limit: number): Promise<{ readonly userId: string; readonly sealedSecret: string }[]> {
    return this.inner.sampleSealedSecrets(limit);
  }
}
