import { TEST_COUNTER_KEY } from '../support/config.js';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryLimiters } from '../../src/adapters/throttle/limiters.js';
import { RateLimiterLoginThrottle } from '../../src/adapters/throttle/rate-limiter-login-throttle.js';
import { loginThrottleContract, type CounterKind, type StoredCounter } from './login-throttle.contract.js';

/** What an in-process limiter holds, read through its public dump(). */
function countersOf(kind: CounterKind, limiter: RateLimiterAbstract): StoredCounter[] {
  if (!(limiter instanceof RateLimiterMemory)) throw new Error('memoryLimiters no longer builds RateLimiterMemory');
  const now = Date.now();
  return limiter.dump().storage.map((entry) => ({
    kind,
    key: String(entry.key),
    ttlMs: entry.expiresAt === null ? -1 : entry.expiresAt - now,
  }));
}

describe('in-memory login throttle (rate-limiter-flexible and a bounded LRU, one instance)', () => {
  // The per-account state is bounded in memory and keeps no key lifetimes to show: its 30 days are
  // proven by the clock-driven tests of the contract.
  loginThrottleContract('RateLimiterLoginThrottle over memoryLimiters', (limits, clock) => {
    const limiters = memoryLimiters(limits, clock);
    return Promise.resolve({
      throttle: new RateLimiterLoginThrottle(limiters, TEST_COUNTER_KEY),
      storedCounters: () => Promise.resolve([...countersOf('pair', limiters.pairs), ...countersOf('ip', limiters.ips)]),
      teardown: () => Promise.resolve(),
    });
  });
});
