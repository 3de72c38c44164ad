import { TEST_COUNTER_KEY } from '../support/config.js';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryLimiters } from '../../src/adapters/throttle/limiters.js';
import { RateLimiterLoginThrottle } from '../../src/adapters/throttle/rate-limiter-login-throttle.js';
import { loginThrottleContract, type StoredCounter } from './login-throttle.contract.js';

/** What an in-process limiter holds, read through its public dump(). */
function countersOf(limiter: RateLimiterAbstract): StoredCounter[] {
  if (!(limiter instanceof RateLimiterMemory)) throw new Error('memoryLimiters no longer builds RateLimiterMemory');
  const now = Date.now();
  return limiter.dump().storage.map((entry) => ({
    key: String(entry.key),
    ttlMs: entry.expiresAt === null ? -1 : entry.expiresAt - now,
  }));
}

describe('in-memory login throttle (rate-limiter-flexible, one instance)', () => {
  loginThrottleContract('RateLimiterLoginThrottle over memoryLimiters', (limits) => {
    const { pairs, ips } = memoryLimiters(limits);
    return Promise.resolve({
      throttle: new RateLimiterLoginThrottle(pairs, ips, TEST_COUNTER_KEY),
      storedCounters: () => Promise.resolve([...countersOf(pairs), ...countersOf(ips)]),
      teardown: () => Promise.resolve(),
    });
  });
});
