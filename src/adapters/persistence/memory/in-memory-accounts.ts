import type { LinkedIdentity } from '../../../domain/identity.js';
import type { NewUser } from '../../../domain/user.js';

/** The tables the in-memory user and identity repositories share, as one database would. */
export class InMemoryAccounts {
  readonly users = new Map<string, NewUser>();
  readonly userIdByEmail = new Map<string, string>();
  /** Keyed by `${provider}:${providerUserId}`. */
  readonly identities = new Map<string, LinkedIdentity>();
}

export const identityKey = (provider: string, providerUserId: string): string => `${provider}:${providerUserId}`;
