import { challengeMatches, type PasskeyCeremony, type PasskeyChallenge, type PasskeyChallengeStore } from '../../../domain/ports/passkey-challenge-store.js';
import { InMemoryOneShot } from './in-memory-one-shot.js';

/**
 * In-process challenges, for one instance (InMemoryOneShot: bounded, single use); a forgotten
 * challenge fails its ceremony (PASSKEY_INVALID), never opens one.
 */
export class InMemoryPasskeyChallengeStore implements PasskeyChallengeStore {
  private readonly challenges: InMemoryOneShot<PasskeyChallenge>;

  constructor(maxEntries = 100_000) {
    this.challenges = new InMemoryOneShot(maxEntries);
  }

  issue(challenge: PasskeyChallenge): Promise<void> {
    this.challenges.put(challenge.value, { ...challenge, expiresAt: new Date(challenge.expiresAt) });
    return Promise.resolve();
  }

  consume(value: string, ceremony: PasskeyCeremony, userId: string | null, now: Date): Promise<boolean> {
    const found = this.challenges.take(value);
    return Promise.resolve(found !== null && challengeMatches(found, ceremony, userId, now));
  }
}
