import type { Redis } from 'ioredis';
import type { Clock } from '../../../domain/ports/clock.js';
import { challengeMatches, type PasskeyCeremony, type PasskeyChallengeStore, type PasskeyChallenge } from '../../../domain/ports/passkey-challenge-store.js';
import { RedisOneShot } from './redis-one-shot.js';

interface StoredChallenge {
  readonly ceremony: PasskeyCeremony;
  readonly userId: string | null;
  /** Epoch ms on the application's clock. */
  readonly expiresAt: number;
}

/**
 * Challenges shared by every instance: `<prefix>passkey-challenge:<value>` holds the ceremony, the
 * user and the expiry on the application's clock (RedisOneShot: GETDEL spends it atomically).
 */
export class RedisPasskeyChallengeStore implements PasskeyChallengeStore {
  private readonly challenges: RedisOneShot<StoredChallenge>;

  constructor(redis: Redis, prefix: string, clock: Clock) {
    this.challenges = new RedisOneShot(redis, prefix, 'passkey-challenge', clock);
  }

  issue(challenge: PasskeyChallenge): Promise<void> {
    return this.challenges.put(challenge.value, { ceremony: challenge.ceremony, userId: challenge.userId, expiresAt: challenge.expiresAt.getTime() }, challenge.expiresAt);
  }

  async consume(value: string, ceremony: PasskeyCeremony, userId: string | null, now: Date): Promise<boolean> {
    const stored = await this.challenges.take(value);
    if (stored === null) return false;
    return challengeMatches({ value, ceremony: stored.ceremony, userId: stored.userId, expiresAt: new Date(stored.expiresAt) }, ceremony, userId, now);
  }
}
