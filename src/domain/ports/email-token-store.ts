import type { EmailTokenKind, EmailTokenRecord } from '../email-token.js';

/**
 * The single-use email tokens (verification, password reset, email change). A token is live
 * while it is not used, not voided and `now` is before its expiry; nothing else is ever handed out.
 */
export interface EmailTokenStore {
  /**
   * Stores a new token and, in the same atomic step, voids every older token of its kind for its
   * user that is still unused, so only the newest link of a kind works.
   */
  issue(token: EmailTokenRecord): Promise<void>;
  /** The live token with this digest and kind at `now`, or null. Spends nothing. */
  findLive(digest: string, kind: EmailTokenKind, now: Date): Promise<EmailTokenRecord | null>;
  /**
   * Spends the token: true only for the one caller that found it live at `now` (concurrent
   * callers with the same digest get false), and from then on it is never live again.
   */
  consume(digest: string, kind: EmailTokenKind, now: Date): Promise<boolean>;
  /** Voids every unused token of the user (of one kind, or of all), as a new password or address does. */
  voidAllForUser(userId: string, at: Date, kind?: EmailTokenKind): Promise<void>;
  /** Forgets up to `limit` tokens that can never be spent again (used, voided, or expired at `now`); returns how many. */
  prune(now: Date, limit: number): Promise<number>;
}
