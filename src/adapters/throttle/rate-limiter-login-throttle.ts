import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ServiceUnavailableError } from '../../domain/errors.js';
import type { LoginAttempt, LoginThrottle } from '../../domain/ports/login-throttle.js';

// Keys are digests: emails and addresses never sit in the rate-limit store in clear.
const key = (...parts: string[]): string => createHash('sha256').update(parts.join('\n')).digest('base64url');

/**
 * Login throttling on rate-limiter-flexible: one limiter for (email, IP) pairs, one for IPs.
 * The same class serves the memory store (one instance) and Redis (many instances).
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  constructor(
    private readonly pairs: RateLimiterAbstract,
    private readonly ips: RateLimiterAbstract,
  ) {}

  async retryAfter(attempt: LoginAttempt): Promise<number> {
    const [pair, ip] = await this.guard(() =>
      Promise.all([this.pairs.get(key(attempt.email, attempt.clientIp)), this.ips.get(key(attempt.clientIp))]),
    );
    const wait = (limiter: RateLimiterAbstract, res: RateLimiterRes | null) =>
      res !== null && res.consumedPoints >= limiter.points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
    return Math.max(wait(this.pairs, pair), wait(this.ips, ip));
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    await this.guard(() =>
      Promise.all([consume(this.pairs, key(attempt.email, attempt.clientIp)), consume(this.ips, key(attempt.clientIp))]),
    );
  }

  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    await this.guard(() => this.pairs.delete(key(attempt.email, attempt.clientIp)));
  }

  /** A store outage fails closed: no attempt is let through uncounted. */
  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RateLimiterRes) throw err;
      throw new ServiceUnavailableError('rate-limit store');
    }
  }
}

/** Counts one point; going over the limit is expected here, not an error. */
async function consume(limiter: RateLimiterAbstract, k: string): Promise<void> {
  try {
    await limiter.consume(k);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
  }
}
