import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Clock } from '../../domain/ports/clock.js';
import {
  ACCOUNT_LIFETIMES,
  InMemoryAccountLockoutStore,
  RedisAccountLockoutStore,
  type AccountLifetimes,
  type AccountLockoutStore,
} from './account-lockouts.js';

export interface ThrottleLimits {
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly ipMaxFailures: number;
  /** LOGIN_ACCOUNT_MAX_FAILURES: consecutive failures of one email from every address together. */
  readonly accountMaxFailures: number;
}

export interface LoginLimiters {
  readonly pairs: RateLimiterAbstract;
  readonly ips: RateLimiterAbstract;
  readonly accounts: AccountLockoutStore;
  readonly accountMaxFailures: number;
}

/** REGISTER_PER_IP_PER_HOUR counts attempts in fixed windows of an hour. */
export const REGISTRATION_WINDOW_SECONDS = 3600;

/** In-process counters: right for a single instance. */
export const memoryLimiters = (limits: ThrottleLimits, clock: Clock, lifetimes: AccountLifetimes = ACCOUNT_LIFETIMES): LoginLimiters => ({
  pairs: new RateLimiterMemory({ points: limits.maxFailures, duration: limits.windowSeconds }),
  ips: new RateLimiterMemory({ points: limits.ipMaxFailures, duration: limits.windowSeconds }),
  accounts: new InMemoryAccountLockoutStore(clock, lifetimes),
  accountMaxFailures: limits.accountMaxFailures,
});

/** Shared counters in Redis, so every instance sees the same failures; keys expire with what they hold. */
export const redisLimiters = (
  redis: Redis,
  limits: ThrottleLimits,
  prefix: string,
  clock: Clock,
  lifetimes: AccountLifetimes = ACCOUNT_LIFETIMES,
): LoginLimiters => ({
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
  accounts: new RedisAccountLockoutStore(redis, prefix, clock, lifetimes),
  accountMaxFailures: limits.accountMaxFailures,
});

/** Registration attempts per client IP, in memory (one instance) or in Redis (`<prefix>register-ip:<digest>`, an hour at most). */
export const registrationLimiter = (perHour: number, redis: Redis | null, prefix: string, windowSeconds = REGISTRATION_WINDOW_SECONDS): RateLimiterAbstract =>
  redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}register-ip`, points: perHour, duration: windowSeconds, rejectIfRedisNotReady: true })
    : new RateLimiterMemory({ points: perHour, duration: windowSeconds });
