import { LRUCache } from 'lru-cache';
import type { SignInStateStore } from '../../../domain/ports/sign-in-state-store.js';
import { forgetEntry } from '../../shared/lru-forget.js';

interface Issued {
  readonly provider: string;
  readonly expiresAt: number;
}

/**
 * In-process sign-in states, for one instance (several need REDIS_URL, as the login throttle
 * does). Bounded: past `maxEntries` the oldest are forgotten first, so a flood of sign-in starts
 * cannot exhaust memory; a forgotten state fails its callback (invalid_state), never opens one.
 */
export class InMemorySignInStateStore implements SignInStateStore {
  private readonly states: LRUCache<string, Issued>;

  constructor(maxEntries = 100_000) {
    this.states = new LRUCache({ max: maxEntries });
  }

  issue(stateDigest: string, provider: string, expiresAt: Date): Promise<void> {
    this.states.set(stateDigest, { provider, expiresAt: expiresAt.getTime() });
    return Promise.resolve();
  }

  consume(stateDigest: string, provider: string, now: Date): Promise<boolean> {
    const found = this.states.get(stateDigest);
    if (!found) return Promise.resolve(false);
    forgetEntry(this.states, stateDigest);
    return Promise.resolve(found.provider === provider && found.expiresAt > now.getTime());
  }
}
