import type { DisplayName } from './display-name.js';
import type { Email } from './email.js';

export interface User {
  readonly id: string;
  readonly email: Email | null;
  readonly name: DisplayName | null;
  /** bcrypt hash; null for an account that has no password (e.g. GitHub-only). */
  readonly passwordHash: string | null;
  /** The account's address was proven: a verification or reset link was spent, or a provider vouched for it. */
  readonly emailVerified: boolean;
  readonly githubLogin: string | null;
  readonly createdAt: Date;
}

/** What a repository stores for a new account; linked identities are not part of it. */
export type NewUser = Omit<User, 'githubLogin'>;
