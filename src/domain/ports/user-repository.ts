import type { Email } from '../email.js';
import type { Role } from '../role.js';
import type { NewUser, User, UserChanges, UserSearch } from '../user.js';

export interface UserRepository {
  /** Stores a new user; throws EmailAlreadyRegisteredError when the email is taken (case-insensitively). */
  create(user: NewUser): Promise<User>;
  /** The user with this id, or null. */
  findById(id: string): Promise<User | null>;
  /** The user with this (normalised) email, or null. */
  findByEmail(email: Email): Promise<User | null>;
  /** Replaces the user's password hash; a no-op for an unknown id. */
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Marks the address proven, when it is still `email` (a link for an address since changed proves nothing); true when it now is. */
  markEmailVerified(id: string, email: Email): Promise<boolean>;
  /** Moves the account to a new, proven address; throws EmailAlreadyRegisteredError when it is taken; false for an unknown id. */
  changeEmail(id: string, email: Email): Promise<boolean>;
  /** Applies an administrator's changes; the updated user, or null for an unknown id. */
  update(id: string, changes: UserChanges): Promise<User | null>;
  /** Remembers a sign-in at `at` (lastSignInAt); a no-op for an unknown id. */
  recordSignIn(id: string, at: Date): Promise<void>;
  /** Users newest first (createdAt, then id, descending), after the cursor, at most `limit`, matching `q`. */
  search(query: UserSearch): Promise<User[]>;
  /** How many accounts that are not disabled hold `role` in their stored roles. */
  countEnabledWithRole(role: Role): Promise<number>;
  /** Removes the user with what hangs off it (sessions, identities), freeing its email; a no-op for an unknown id. */
  delete(id: string): Promise<void>;
}
