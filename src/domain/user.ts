import type { Email } from './email.js';

export const NAME_MAX_CODE_POINTS = 100;

export interface User {
  readonly id: string;
  readonly email: Email | null;
  readonly name: string | null;
  /** bcrypt hash; null for an account that has no password (e.g. GitHub-only). */
  readonly passwordHash: string | null;
  readonly githubLogin: string | null;
  readonly createdAt: Date;
}

/** What a repository stores for a new account; linked identities are not part of it. */
export type NewUser = Omit<User, 'githubLogin'>;

export function nameProblem(name: string): string | null {
  return [...name].length > NAME_MAX_CODE_POINTS ? `must be at most ${NAME_MAX_CODE_POINTS} characters` : null;
}
