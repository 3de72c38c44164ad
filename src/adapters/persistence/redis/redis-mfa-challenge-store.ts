import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../../../domain/errors.js';
import type { AuthMethod, MfaChallenge, MfaMode } from '../../../domain/mfa.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { MfaChallengeStore } from '../../../domain/ports/mfa-challenge-store.js';

interface Stored {
  readonly userId: string;
  readonly mode: MfaMode;
  readonly amr: readonly AuthMethod[];
  readonly throttleKey: { readonly email: string; readonly clientIp: string };
  /** Epoch ms on the application's clock. */
  readonly expiresAt: number;
}

// Counts a failure; at the limit the challenge and its count go. One script, so atomic.
const FAIL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[1]), 1))
if n >= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1], KEYS[2]) end
return n
`;

/**
 * MFA challenges shared by every instance: `<prefix>mfa:<digest>` holds the challenge (its TTL,
 * the same length as its life, only cleans up; expiry is judged on the application's clock) and
 * `<prefix>mfa-failures:<digest>` its wrong codes. GETDEL spends it: of concurrent consumes one reads it.
 */
export class RedisMfaChallengeStore implements MfaChallengeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  private keys(digest: string): [string, string] {
    return [`${this.prefix}mfa:${digest}`, `${this.prefix}mfa-failures:${digest}`];
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError('MFA challenge store'), { cause: err });
    }
  }

  issue(c: MfaChallenge): Promise<void> {
    const stored: Stored = { userId: c.userId, mode: c.mode, amr: c.amr, throttleKey: c.throttleKey, expiresAt: c.expiresAt.getTime() };
    const ttlMs = Math.max(1, c.expiresAt.getTime() - this.clock.now().getTime());
    return this.run(async () => {
      await this.redis.set(this.keys(c.tokenDigest)[0], JSON.stringify(stored), 'PX', ttlMs);
    });
  }

  async find(tokenDigest: string, now: Date): Promise<MfaChallenge | null> {
    const raw = await this.run(() => this.redis.get(this.keys(tokenDigest)[0]));
    return live(tokenDigest, raw, now);
  }

  recordFailure(tokenDigest: string, maxFailures: number): Promise<number> {
    return this.run(async () => Number(await this.redis.eval(FAIL, 2, ...this.keys(tokenDigest), String(maxFailures))));
  }

  async consume(tokenDigest: string, now: Date): Promise<MfaChallenge | null> {
    const [key, failures] = this.keys(tokenDigest);
    const raw = await this.run(() => this.redis.getdel(key));
    if (raw !== null) await this.run(() => this.redis.del(failures));
    return live(tokenDigest, raw, now);
  }
}

function live(tokenDigest: string, raw: string | null, now: Date): MfaChallenge | null {
  if (raw === null) return null;
  const s = JSON.parse(raw) as Stored;
  if (s.expiresAt <= now.getTime()) return null;
  return { tokenDigest, userId: s.userId, mode: s.mode, amr: s.amr, throttleKey: s.throttleKey, expiresAt: new Date(s.expiresAt) };
}
