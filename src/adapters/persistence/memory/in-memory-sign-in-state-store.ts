import type { SignInStateStore } from '../../../domain/ports/sign-in-state-store.js';
import { InMemoryOneShot } from './in-memory-one-shot.js';

/** In-process sign-in states, for one instance (InMemoryOneShot: bounded, single use). */
export class InMemorySignInStateStore implements SignInStateStore {
  private readonly states: InMemoryOneShot<{ readonly provider: string; readonly expiresAt: number }>;

  constructor(maxEntries = 100_000) {
    this.states = new InMemoryOneShot(maxEntries);
  }

  issue(stateDigest: string, provider: string, expiresAt: Date): Promise<void> {
    this.states.put(stateDigest, { provider, expiresAt: expiresAt.getTime() });
    return Promise.resolve();
  }

  consume(stateDigest: string, provider: string, now: Date): Promise<boolean> {
    const issued = this.states.take(stateDigest);
    return Promise.resolve(issued !== null && issued.provider === provider && issued.expiresAt > now.getTime());
  }
}
