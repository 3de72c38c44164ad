import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MailThrottle } from '../../domain/ports/mail-throttle.js';
import { counterKey, failClosed, wholeSeconds } from './counter-key.js';

export interface MailLimits {
  /** MAIL_PER_ADDRESS_PER_HOUR. */
  readonly perAddressPerHour: number;
  /** MAIL_PER_IP_PER_HOUR. */
  readonly perIpPerHour: number;
}

/** Token mails to one address are at least this far apart, whatever MAIL_PER_ADDRESS_PER_HOUR says. */
export const MAIL_GAP_SECONDS = 60;
const HOUR = 3600;

export interface MailLimiters {
  readonly perAddress: RateLimiterAbstract;
  readonly addressGap: RateLimiterAbstract;
  readonly perIp: RateLimiterAbstract;
}

/** In memory (one instance) or in Redis (`<prefix>mail-address`, `mail-gap`, `mail-ip`: shared by every instance). */
export function mailLimiters(limits: MailLimits, redis: Redis | null, prefix: string): MailLimiters {
  const limiter = (name: string, points: number, duration: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}${name}`, points, duration, rejectIfRedisNotReady: true })
      : new RateLimiterMemory({ points, duration });
  return {
    perAddress: limiter('mail-address', limits.perAddressPerHour, HOUR),
    addressGap: limiter('mail-gap', 1, MAIL_GAP_SECONDS),
    perIp: limiter('mail-ip', limits.perIpPerHour, HOUR),
  };
}

/**
 * MailThrottle on rate-limiter-flexible. Every request is counted on all three counters, refused
 * or not, so asking again while refused never buys an earlier mail; the answer is the longest wait.
 * The address is whatever the client typed, normalised: an unknown one counts like a known one.
 */
export class RateLimiterMailThrottle implements MailThrottle {
  constructor(
    private readonly limiters: MailLimiters,
    private readonly keySecret: KeyObject,
  ) {}

  admit(email: string, clientIp: string): Promise<number> {
    const address = counterKey(this.keySecret, 'mail-address', email);
    const ip = counterKey(this.keySecret, 'mail-ip', clientIp);
    return failClosed(async () => {
      const waits = await Promise.all([
        wait(this.limiters.perIp, ip),
        wait(this.limiters.addressGap, address),
        wait(this.limiters.perAddress, address),
      ]);
      return Math.max(...waits);
    });
  }

  retryAfter(email: string, clientIp: string): Promise<number> {
    const address = counterKey(this.keySecret, 'mail-address', email);
    const ip = counterKey(this.keySecret, 'mail-ip', clientIp);
    return failClosed(async () => {
      const waits = await Promise.all([
        peek(this.limiters.perIp, ip),
        peek(this.limiters.addressGap, address),
        peek(this.limiters.perAddress, address),
      ]);
      return Math.max(...waits);
    });
  }
}

async function peek(limiter: RateLimiterAbstract, key: string): Promise<number> {
  const state = await limiter.get(key);
  return state !== null && state.consumedPoints >= limiter.points ? wholeSeconds(state.msBeforeNext) : 0;
}

async function wait(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (err) {
    if (err instanceof RateLimiterRes) return wholeSeconds(err.msBeforeNext);
    throw err;
  }
}
