import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the throttle suites run against: TEST_REDIS_URL, else the local server's database 15. */
export const testRedisUrl = (): string => process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379/15';

/** A key prefix of this run alone (`authtest:<random>:`), so parallel runs never share a counter. */
export const uniqueRedisPrefix = (): string => `authtest:${randomBytes(6).toString('hex')}:`;

let warned = false;
/** Says once, loudly, that the Redis suites did not run. */
export function warnRedisSkipped(url: string, reason: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`\n  !! Redis at ${url} is not reachable (${reason}): the Redis suites are SKIPPED.\n\n`);
}

/**
 * A client on `url` that has answered PING, or null with the reason it could not connect.
 * Configured as the container configures its own (no offline queue, one retry per request).
 */
export async function connectTestRedis(url = testRedisUrl()): Promise<{ redis: Redis } | { redis: null; reason: string }> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { redis: null, reason: (err as Error).message };
  }
}

/** Every key under `prefix` (SCAN, never KEYS). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return [...new Set(keys)];
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
  return keys.length;
}

/** In a `before` hook: a connected client, or the suite skipped with a loud warning when Redis is unreachable. */
export async function redisOrSkip(suite: Mocha.Context, url = testRedisUrl()): Promise<Redis> {
  const connected = await connectTestRedis(url);
  if (connected.redis === null) {
    warnRedisSkipped(url, connected.reason);
    suite.skip();
  }
  return connected.redis;
}

export interface SuiteRedis {
  /** Every key the suite writes goes under it; all are deleted after the suite. */
  readonly prefix: string;
  client(): Redis;
}

/** Inside a describe: a client connected before its tests (the suite skipped loudly without Redis) and a prefix of its own. */
export function suiteRedis(url = testRedisUrl()): SuiteRedis {
  const prefix = uniqueRedisPrefix();
  let redis: Redis | null = null;
  before(async function () {
    redis = await redisOrSkip(this, url);
  });
  after(async () => {
    if (!redis) return;
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });
  return {
    prefix,
    client() {
      if (!redis) throw new Error('the test Redis is not connected');
      return redis;
    },
  };
}
