import type { Redis } from 'ioredis';
import type { Clock } from '../../../domain/ports/clock.js';
import type { SignInStateStore } from '../../../domain/ports/sign-in-state-store.js';
import { RedisOneShot } from './redis-one-shot.js';

interface Issued {
  readonly provider: string;
  /** Epoch ms on the application's clock. */
  readonly expiresAt: number;
}

/** Sign-in states shared by every instance, under `<prefix>sign-in-state:<digest>` (RedisOneShot). */
export class RedisSignInStateStore implements SignInStateStore {
  private readonly states: RedisOneShot<Issued>;

  constructor(redis: Redis, prefix: string, clock: Clock) {
    this.states = new RedisOneShot(redis, prefix, 'sign-in-state', clock);
  }

  issue(stateDigest: string, provider: string, expiresAt: Date): Promise<void> {
    return this.states.put(stateDigest, { provider, expiresAt: expiresAt.getTime() }, expiresAt);
  }

  async consume(stateDigest: string, provider: string, now: Date): Promise<boolean> {
    const issued = await this.states.take(stateDigest);
    return issued !== null && issued.provider === provider && issued.expiresAt > now.getTime();
  }
}
