import type { Session } from '../session.js';

export interface TokenStore {
  /**
   * Starts a session (a refresh-token family) with its first token digest. With `maxLive`, the
   * same atomic step then ends the user's least recently used sessions live at `session.createdAt`
   * (never this one) until at most `maxLive` are, so sign-ins at once cannot pass the cap together.
   */
  create(session: Session, maxLive?: number): Promise<void>;
  /** The session with this id, ended or not, or null. */
  find(id: string): Promise<Session | null>;
  /**
   * Atomically replaces the current token digest `from` by `to` (the old one becomes previous)
   * and marks the session used at `at`. True only for the one caller whose `from` was still
   * current on a session not ended; every concurrent caller with the same `from` gets false.
   */
  rotate(id: string, from: string, to: string, at: Date): Promise<boolean>;
  /** Ends the session at `at`; true when it was not already ended. */
  end(id: string, at: Date): Promise<boolean>;
  /** Ends every session of the user not yet ended, except `exceptId`; returns how many it ended. */
  endAllForUser(userId: string, at: Date, exceptId?: string): Promise<number>;
  /** The user's sessions not ended and not expired at `now`, newest first. */
  listLive(userId: string, now: Date): Promise<Session[]>;
  /**
   * Forgets up to `limit` sessions no token can ever use again: ended, expired at `cutoff.now`,
   * or not used since `cutoff.idleSince` (their newest refresh token has expired). Returns how
   * many it forgot; a store whose records expire by themselves may always answer 0.
   */
  prune(cutoff: PruneCutoff, limit: number): Promise<number>;
}

export interface PruneCutoff {
  readonly now: Date;
  readonly idleSince: Date;
}
