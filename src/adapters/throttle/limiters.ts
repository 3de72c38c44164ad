import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface ThrottleLimits {
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly ipMaxFailures: number;
}

export interface LoginLimiters {
  readonly pairs: RateLimiterAbstract;
  readonly ips: RateLimiterAbstract;
}

/** In-process counters: right for a single instance. */
export const memoryLimiters = (limits: ThrottleLimits): LoginLimiters => ({
  pairs: new RateLimiterMemory({ points: limits.maxFailures, duration: limits.windowSeconds }),
  ips: new RateLimiterMemory({ points: limits.ipMaxFailures, duration: limits.windowSeconds }),
});

/** Shared counters in Redis, so every instance sees the same failures; keys expire with the window. */
export const redisLimiters = (redis: Redis, limits: ThrottleLimits, prefix: string): LoginLimiters => ({
  pairs: new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}login-pair`,
    points: limits.maxFailures,
    duration: limits.windowSeconds,
    rejectIfRedisNotReady: true,
  }),
  ips: new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}login-ip`,
    points: limits.ipMaxFailures,
    duration: limits.windowSeconds,
    rejectIfRedisNotReady: true,
  }),
});
