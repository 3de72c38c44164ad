import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../../../domain/errors.js';
import type { Clock } from '../../../domain/ports/clock.js';
import { challengeMatches, type PasskeyCeremony, type PasskeyChallengeStore, type PasskeyChallenge } from '../../../domain/ports/passkey-challenge-store.js';

interface StoredChallenge {
  readonly ceremony: PasskeyCeremony;
  readonly userId: string | null;
  /** Epoch ms on the application's clock. */
  readonly expiresAt: number;
}

/**
 * Challenges shared by every instance: `<prefix>passkey-challenge:<value>` holds the ceremony,
 * the user and the expiry on the application's clock; the key's TTL (the same length) only
 * cleans up. GETDEL spends it atomically: of concurrent consumes exactly one reads it.
 */
export class RedisPasskeyChallengeStore implements PasskeyChallengeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  private key(value: string): string {
    return `${this.prefix}passkey-challenge:${value}`;
  }

  async issue(challenge: PasskeyChallenge): Promise<void> {
    const stored: StoredChallenge = { ceremony: challenge.ceremony, userId: challenge.userId, expiresAt: challenge.expiresAt.getTime() };
    const ttlMs = Math.max(1, challenge.expiresAt.getTime() - this.clock.now().getTime());
    try {
      await this.redis.set(this.key(challenge.value), JSON.stringify(stored), 'PX', ttlMs);
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError('challenge store'), { cause: err });
    }
  }

  async consume(value: string, ceremony: PasskeyCeremony, userId: string | null, now: Date): Promise<boolean> {
    let raw: string | null;
    try {
      raw = await this.redis.getdel(this.key(value));
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError('challenge store'), { cause: err });
    }
    if (raw === null) return false;
    const stored = JSON.parse(raw) as StoredChallenge;
    return challengeMatches({ value, ceremony: stored.ceremony, userId: stored.userId, expiresAt: new Date(stored.expiresAt) }, ceremony, userId, now);
  }
}
