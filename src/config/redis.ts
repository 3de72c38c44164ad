import { z } from 'zod';
import { optional } from './variables.js';

export const redisVariables = z.object({
  REDIS_URL: optional.pipe(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional()),
  REDIS_KEY_PREFIX: z.string().default('auth:'),
});

export interface RedisConfig {
  /** Set: sessions and rate-limit counters live in Redis, shared by every instance. */
  readonly redisUrl: string | null;
  readonly redisKeyPrefix: string;
}

export const redisConfig = (e: z.output<typeof redisVariables>): RedisConfig => ({ redisUrl: e.REDIS_URL ?? null, redisKeyPrefix: e.REDIS_KEY_PREFIX });
