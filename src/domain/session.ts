/**
 * A sign-in session: one refresh-token family. Its id travels in every token issued to it
 * (`sid`), so ending the session ends its access tokens as well as its refresh token.
 * The store keeps only digests of token ids, never a raw token.
 */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** Absolute end (sign-in + SESSION_MAX_AGE); refreshing never moves it. */
  readonly expiresAt: Date;
  readonly userAgent: string | null;
  /** Digest of the newest refresh token's id. */
  readonly currentTokenDigest: string;
  /** Digest of the token the newest one replaced, kept for the retry grace window. */
  readonly previousTokenDigest: string | null;
  readonly rotatedAt: Date | null;
  readonly endedAt: Date | null;
  /**
   * RFC 8176 methods of the sign-in that started it (`pwd`, `otp`, `hwk`, `fed`), kept so every
   * access token of the session carries them; absent for sessions from before they were recorded.
   */
  readonly amr?: readonly string[];
}

export interface SessionPolicy {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionMaxAgeSeconds: number;
  /** Seconds after a rotation during which the replaced token may be retried; 0 turns it off. */
  readonly reuseGraceSeconds: number;
}

export const isLive = (session: Session, now: Date): boolean =>
  session.endedAt === null && now.getTime() < session.expiresAt.getTime();

/**
 * Most recently used first (SESSIONS_PER_USER_MAX ends from the other end); equal times are
 * ordered by id, so every store picks the same sessions. SQL orders the same way by index.
 */
export const byRecentUse = (a: Session, b: Session): number =>
  b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** No token can ever use this session again: it ended, expired, or sat unused past its newest refresh token. */
export const isPrunable = (session: Session, cutoff: { readonly now: Date; readonly idleSince: Date }): boolean =>
  session.endedAt !== null ||
  session.expiresAt.getTime() <= cutoff.now.getTime() ||
  session.lastUsedAt.getTime() <= cutoff.idleSince.getTime();

/** The session a token names, when it belongs to the token's user and has not ended; otherwise null. */
export const liveSessionOf = (session: Session | null, userId: string, now: Date): Session | null =>
  session !== null && session.userId === userId && isLive(session, now) ? session : null;

/**
 * What a presented refresh token is to its family:
 * - `current`: the newest token, may rotate;
 * - `retry`: the token just replaced, within the grace window (RFC 9700 §4.14 lost-response retry);
 * - `reuse`: any other token of the family, a sign of theft: the family must be revoked.
 */
export type PresentedToken = 'current' | 'retry' | 'reuse';

export function classifyPresentedToken(
  session: Session,
  tokenDigest: string,
  now: Date,
  reuseGraceSeconds: number,
): PresentedToken {
  if (tokenDigest === session.currentTokenDigest) return 'current';
  if (
    reuseGraceSeconds > 0 &&
    tokenDigest === session.previousTokenDigest &&
    session.rotatedAt !== null &&
    now.getTime() - session.rotatedAt.getTime() < reuseGraceSeconds * 1000
  ) {
    return 'retry';
  }
  return 'reuse';
}

/** No token of a session may outlive it. */
export const capToSession = (session: Pick<Session, 'expiresAt'>, candidate: Date): Date =>
  candidate.getTime() < session.expiresAt.getTime() ? candidate : session.expiresAt;

/** A copy sharing no mutable Date with the original (stores hand out copies, never their own state). */
export const copySession = (s: Session): Session => ({
  ...s,
  createdAt: new Date(s.createdAt),
  lastUsedAt: new Date(s.lastUsedAt),
  expiresAt: new Date(s.expiresAt),
  rotatedAt: s.rotatedAt && new Date(s.rotatedAt),
  endedAt: s.endedAt && new Date(s.endedAt),
  ...(s.amr ? { amr: [...s.amr] } : {}),
});
