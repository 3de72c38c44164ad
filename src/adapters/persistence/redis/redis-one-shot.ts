import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../../../domain/errors.js';
import type { Clock } from '../../../domain/ports/clock.js';

/**
 * Single-use records shared by every instance, the mechanism under the passkey challenges and the
 * provider sign-in states: `<prefix><kind>:<key>` holds the record as JSON, with a TTL of what is
 * left of its life on the application's clock (the TTL only cleans up: callers judge the expiry
 * they stored). GETDEL takes it atomically: of concurrent takers exactly one reads it.
 */
export class RedisOneShot<T> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly kind: string,
    private readonly clock: Clock,
  ) {}

  private key(key: string): string {
    return `${this.prefix}${this.kind}:${key}`;
  }

  async put(key: string, record: T, expiresAt: Date): Promise<void> {
    const ttlMs = Math.max(1, expiresAt.getTime() - this.clock.now().getTime());
    try {
      await this.redis.set(this.key(key), JSON.stringify(record), 'PX', ttlMs);
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError(`${this.kind} store`), { cause: err });
    }
  }

  /** The record, gone for every later caller; null when there is none (never put, taken, or cleaned up). */
  async take(key: string): Promise<T | null> {
    let raw: string | null;
    try {
      raw = await this.redis.getdel(this.key(key));
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError(`${this.kind} store`), { cause: err });
    }
    return raw === null ? null : (JSON.parse(raw) as T);
  }
}
