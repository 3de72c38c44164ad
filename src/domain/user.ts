import type { DisplayName } from './display-name.js';
import type { Email } from './email.js';
import type { MfaSummary } from './mfa.js';
import type { Role } from './role.js';

export interface User {
  readonly id: string;
  readonly email: Email | null;
  readonly name: DisplayName | null;
  /** bcrypt hash; null for an account that has no password (e.g. GitHub-only). */
  readonly passwordHash: string | null;
  /** The account's address was proven: a verification or reset link was spent, or a provider vouched for it. */
  readonly emailVerified: boolean;
  readonly githubLogin: string | null;
  /** The roles stored on the account, sorted; `admin` from ADMIN_EMAILS is added where roles are read (application/roles). */
  readonly roles: readonly Role[];
  /** A disabled account signs in by no method, and its sessions were ended when it was disabled. */
  readonly disabled: boolean;
  /** The last sign-in by any method; registration counts as one. */
  readonly lastSignInAt: Date | null;
  readonly createdAt: Date;
  /** The account's second factors, as read with it: TOTP confirmed, and how many passkeys. */
  readonly mfa: MfaSummary;
}

/** What an administrator may change on an account. */
export interface UserChanges {
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
  readonly name?: DisplayName | null;
  readonly emailVerified?: boolean;
}

/** Where a page of users starts: after the user with this creation time and id (newest first). */
export interface UserCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export interface UserSearch {
  /** Matches a substring of the email or the name, case-insensitively; absent: every user. */
  readonly q?: string;
  readonly after?: UserCursor;
  readonly limit: number;
}

/** What a repository stores for a new account; linked identities are not part of it. */
export type NewUser = Omit<User, 'githubLogin' | 'mfa'>;
