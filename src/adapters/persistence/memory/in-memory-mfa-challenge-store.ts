import { LRUCache } from 'lru-cache';
import type { MfaChallenge } from '../../../domain/mfa.js';
import type { MfaChallengeStore } from '../../../domain/ports/mfa-challenge-store.js';
import { forgetEntry } from '../../shared/lru-forget.js';

const copy = (c: MfaChallenge): MfaChallenge => ({ ...c, amr: [...c.amr], throttleKey: { ...c.throttleKey }, expiresAt: new Date(c.expiresAt) });

interface Entry {
  readonly challenge: MfaChallenge;
  failures: number;
}

/**
 * In-process MFA challenges, for one instance (several need REDIS_URL, as the login throttle
 * does). Bounded like the passkey challenges: a forgotten one fails its step, never opens one.
 */
export class InMemoryMfaChallengeStore implements MfaChallengeStore {
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxEntries = 100_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  issue(challenge: MfaChallenge): Promise<void> {
    this.entries.set(challenge.tokenDigest, { challenge: copy(challenge), failures: 0 });
    return Promise.resolve();
  }

  find(tokenDigest: string, now: Date): Promise<MfaChallenge | null> {
    const entry = this.entries.peek(tokenDigest);
    return Promise.resolve(entry && entry.challenge.expiresAt.getTime() > now.getTime() ? copy(entry.challenge) : null);
  }

  recordFailure(tokenDigest: string, maxFailures: number): Promise<number> {
    const entry = this.entries.peek(tokenDigest);
    if (!entry) return Promise.resolve(0);
    entry.failures += 1;
    if (entry.failures >= maxFailures) forgetEntry(this.entries, tokenDigest);
    return Promise.resolve(entry.failures);
  }

  consume(tokenDigest: string, now: Date): Promise<MfaChallenge | null> {
    const entry = this.entries.peek(tokenDigest);
    if (!entry) return Promise.resolve(null);
    forgetEntry(this.entries, tokenDigest);
    return Promise.resolve(entry.challenge.expiresAt.getTime() > now.getTime() ? copy(entry.challenge) : null);
  }
}
