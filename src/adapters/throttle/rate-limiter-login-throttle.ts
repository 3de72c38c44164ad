import { createHmac, type KeyObject } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ServiceUnavailableError } from '../../domain/errors.js';
import type { LoginAttempt, LoginThrottle } from '../../domain/ports/login-throttle.js';


/**
 * Login throttling on rate-limiter-flexible: one limiter for (email, IP) pairs, one for IPs.
 * The same class serves the memory store (one instance) and Redis (many instances).
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  constructor(
    private readonly pairs: RateLimiterAbstract,
    private readonly ips: RateLimiterAbstract,
    private readonly keySecret: KeyObject,
  ) {}

  // Keys are keyed digests: emails and addresses never sit in the store in clear, and without the
  // secret an address's key cannot be found by trying every IPv4 address.
  private key(...parts: string[]): string {
    return createHmac('sha256', this.keySecret).update(parts.join('\n')).digest('base64url');
  }

  async retryAfter(attempt: LoginAttempt): Promise<number> {
    const [pair, ip] = await this.guard(() =>
      Promise.all([this.pairs.get(this.key(attempt.email, attempt.clientIp)), this.ips.get(this.key(attempt.clientIp))]),
    );
    const wait = (limiter: RateLimiterAbstract, res: RateLimiterRes | null) =>
      // A counter whose window has passed but was not swept yet (busy event loop) blocks nothing.
      res !== null && res.consumedPoints >= limiter.points && res.msBeforeNext > 0 ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
    return Math.max(wait(this.pairs, pair), wait(this.ips, ip));
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    await this.guard(() =>
      Promise.all([consume(this.pairs, this.key(attempt.email, attempt.clientIp)), consume(this.ips, this.key(attempt.clientIp))]),
    );
  }

  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    await this.guard(() => this.pairs.delete(this.key(attempt.email, attempt.clientIp)));
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
