import type { MfaChallenge } from '../mfa.js';

/** Sign-ins waiting for a second factor. Times are the application's clock. */
export interface MfaChallengeStore {
  /** Records a challenge until its expiry. */
  issue(challenge: MfaChallenge): Promise<void>;
  /** The unexpired challenge with this token digest, or null (spent, voided, expired or never issued). */
  find(tokenDigest: string, now: Date): Promise<MfaChallenge | null>;
  /**
   * Counts a wrong code against the challenge; at `maxFailures` it is voided. Returns the failures
   * counted so far (0 when the challenge is gone).
   */
  recordFailure(tokenDigest: string, maxFailures: number): Promise<number>;
  /** Spends the challenge: the one caller that finds it unexpired gets it; nobody ever gets it again. */
  consume(tokenDigest: string, now: Date): Promise<MfaChallenge | null>;
}
