/** Which WebAuthn ceremony a challenge was handed out for. */
export type PasskeyCeremony = 'registration' | 'authentication';

export interface PasskeyChallenge {
  /** The challenge as it comes back in clientDataJSON: base64url. */
  readonly value: string;
  readonly ceremony: PasskeyCeremony;
  /** Registration: the user it was handed to; authentication: null (no user is known yet). */
  readonly userId: string | null;
  readonly expiresAt: Date;
}

/** The challenges handed out and not yet spent. Times are the application's clock. */
export interface PasskeyChallengeStore {
  /** Records a challenge until its expiry. */
  issue(challenge: PasskeyChallenge): Promise<void>;
  /**
   * Spends the challenge with this value: true only for the one caller that finds it unexpired at
   * `now` and bound to this ceremony and user (of concurrent callers one wins). Whatever the
   * answer, the value is never accepted again.
   */
  consume(value: string, ceremony: PasskeyCeremony, userId: string | null, now: Date): Promise<boolean>;
}

/** Whether a stored challenge answers a consume for this ceremony and user at `now` (the one rule every store applies). */
export const challengeMatches = (c: PasskeyChallenge, ceremony: PasskeyCeremony, userId: string | null, now: Date): boolean =>
  c.ceremony === ceremony && c.userId === userId && c.expiresAt.getTime() > now.getTime();
