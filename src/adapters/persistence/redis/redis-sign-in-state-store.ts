import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../../../domain/errors.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { SignInStateStore } from '../../../domain/ports/sign-in-state-store.js';

interface Issued {
  readonly provider: string;
  /** Epoch ms on the application's clock. */
  readonly expiresAt: number;
}

/**
 * Sign-in states shared by every instance: `<prefix>sign-in-state:<digest>` holds the provider and
 * the expiry on the application's clock; the key's TTL (the same length) only cleans up. GETDEL
 * spends it atomically: of concurrent callbacks with one state exactly one reads it.
 */
export class RedisSignInStateStore implements SignInStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  private key(stateDigest: string): string {
    return `${this.prefix}sign-in-state:${stateDigest}`;
  }

  async issue(stateDigest: string, provider: string, expiresAt: Date): Promise<void> {
    const issued: Issued = { provider, expiresAt: expiresAt.getTime() };
    const ttlMs = Math.max(1, expiresAt.getTime() - this.clock.now().getTime());
    try {
      await this.redis.set(this.key(stateDigest), JSON.stringify(issued), 'PX', ttlMs);
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError('sign-in state store'), { cause: err });
    }
  }

  async consume(stateDigest: string, provider: string, now: Date): Promise<boolean> {
    let raw: string | null;
    try {
      raw = await this.redis.getdel(this.key(stateDigest));
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError('sign-in state store'), { cause: err });
    }
    if (raw === null) return false;
    const issued = JSON.parse(raw) as Issued;
    return issued.provider === provider && issued.expiresAt > now.getTime();
  }
}
