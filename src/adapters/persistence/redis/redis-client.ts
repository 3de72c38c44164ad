import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Redis deadlines: an outage fails requests closed (503) within a second instead of queueing them. */
export const REDIS_TIMEOUTS = {
  /** TCP connect and handshake. */
  connectMs: 2000,
  /** One command's answer. */
  commandMs: 1000,
} as const;

/**
 * The shared Redis client. Nothing waits offline and every command has a deadline, so an outage
 * fails requests closed (503) within a second instead of queueing them; ioredis reconnects by
 * itself. An outage is logged once when it starts and once when it ends, not at every retry.
 * Keys are prefixed by each store (REDIS_KEY_PREFIX), not here, so one client serves them all.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: REDIS_TIMEOUTS.connectMs,
    commandTimeout: REDIS_TIMEOUTS.commandMs,
  });
  let down = false;
  redis.on('error', (err: Error & { code?: unknown }) => {
    if (down) return;
    down = true;
    logger.error({ code: typeof err.code === 'string' ? err.code : err.name }, 'Redis unreachable: requests that need it answer 503 until it returns');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('Redis reachable again');
  });
  return redis;
}

/** True when Redis answers a PING. */
export const isRedisReady = async (redis: Redis): Promise<boolean> => {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
};
