import type { LinkedIdentity } from '../../../domain/identity.js';
import type { MfaSummary } from '../../../domain/mfa.js';
import type { NewUser } from '../../../domain/user.js';

/** The tables the in-memory user and identity repositories share, as one database would. */
export class InMemoryAccounts {
  readonly users = new Map<string, NewUser>();
  readonly userIdByEmail = new Map<string, string>();
  /** Keyed by `${provider}:${providerUserId}`. */
  readonly identities = new Map<string, LinkedIdentity>();
  /**
   * Who keeps each user's second factors (as SQL's joins would read them): the in-memory TOTP and
   * passkey stores built on these accounts fill these in; without them a user has none.
   */
  readonly factors: { totpOn: (userId: string) => boolean; passkeyCount: (userId: string) => number } = { totpOn: () => false, passkeyCount: () => 0 };

  mfaOf(userId: string): MfaSummary {
    return { totp: this.factors.totpOn(userId), passkeys: this.factors.passkeyCount(userId) };
  }
}

export const identityKey = (provider: string, providerUserId: string): string => `${provider}:${providerUserId}`;

/** What a store keeps of a new user: its own Dates, and the roles each once, sorted (as the SQL column holds them). */
export const storedUser = (user: NewUser): NewUser => ({
  ...user,
  roles: [...new Set(user.roles)].sort(),
  lastSignInAt: user.lastSignInAt === null ? null : new Date(user.lastSignInAt),
  createdAt: new Date(user.createdAt),
});
