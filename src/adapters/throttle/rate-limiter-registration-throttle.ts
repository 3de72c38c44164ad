import type { KeyObject } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RegistrationThrottle } from '../../domain/ports/registration-throttle.js';
import { counterKey, failClosed, wholeSeconds } from './counter-key.js';

/**
 * REGISTER_PER_IP_PER_HOUR on rate-limiter-flexible (memory or Redis). Counting and deciding are
 * one atomic consume, so a burst of attempts at once cannot pass the allowance together.
 */
export class RateLimiterRegistrationThrottle implements RegistrationThrottle {
  constructor(
    private readonly attempts: RateLimiterAbstract,
    private readonly keySecret: KeyObject,
  ) {}

  async admit(clientIp: string): Promise<number> {
    const key = counterKey(this.keySecret, 'registration', clientIp);
    return failClosed(async () => {
      try {
        await this.attempts.consume(key);
        return 0;
      } catch (err) {
        if (err instanceof RateLimiterRes) return wholeSeconds(err.msBeforeNext);
        throw err;
      }
    });
  }
}
