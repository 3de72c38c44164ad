import { LRUCache } from 'lru-cache';
import { challengeMatches, type PasskeyCeremony, type PasskeyChallenge, type PasskeyChallengeStore } from '../../../domain/ports/passkey-challenge-store.js';
import { forgetEntry } from '../../shared/lru-forget.js';

/**
 * In-process challenges, for one instance (several need REDIS_URL, as the login throttle does).
 * Bounded: past `maxEntries` the oldest are forgotten first, so a flood of option requests
 * cannot exhaust memory; a forgotten challenge fails its ceremony (PASSKEY_INVALID), never opens one.
 */
export class InMemoryPasskeyChallengeStore implements PasskeyChallengeStore {
  private readonly challenges: LRUCache<string, PasskeyChallenge>;

  constructor(maxEntries = 100_000) {
    this.challenges = new LRUCache({ max: maxEntries });
  }

  issue(challenge: PasskeyChallenge): Promise<void> {
    this.challenges.set(challenge.value, { ...challenge, expiresAt: new Date(challenge.expiresAt) });
    return Promise.resolve();
  }

  consume(value: string, ceremony: PasskeyCeremony, userId: string | null, now: Date): Promise<boolean> {
    const found = this.challenges.get(value);
    if (!found) return Promise.resolve(false);
    forgetEntry(this.challenges, value);
    return Promise.resolve(challengeMatches(found, ceremony, userId, now));
  }
}
