import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp, type TestAppOptions } from './app.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from './databases.js';
import { connectTestRedis, deleteKeysUnder, testRedisUrl, uniqueRedisPrefix, warnRedisSkipped } from './redis.js';
import type { FixedClock } from './fixed-clock.js';

/** A database the real app can run on in HTTP tests: SQLite always, MySQL when TEST_MYSQL_URL is set. */
export interface Backend {
  readonly name: string;
  /** Whether this backend can run here; when not, says so loudly (the suite then skips). */
  readonly available: () => Promise<boolean>;
  /** Starts the app on a fresh, migrated database of this kind; `env` is added to the test environment. */
  start(options?: BackendOptions): Promise<{ app: TestApp; stop(): Promise<void> }>;
}

export interface BackendOptions {
  readonly clock?: FixedClock;
  readonly env?: Record<string, string>;
  /** Extra registrations on the app's container (a counting hasher, say), after the backend's own. */
  readonly override?: (container: DependencyContainer) => void;
  /** The logger the app writes to (default: silent). */
  readonly logger?: Logger;
  /** Middleware added after the app's own (a deployer's routes, say). */
  readonly extend?: TestAppOptions['extend'];
}

/** The knex instance the app runs on. */
export const appDatabase = (app: TestApp) => app.container.resolve<Knex>(TOKENS.Database);

async function startOn(url: string, options: BackendOptions, afterStop: () => Promise<void>) {
  const app = await startTestApp({
    persistence: 'database',
    env: { DATABASE_URL: url, ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.override ? { override: options.override } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.extend ? { extend: options.extend } : {}),
  });
  await migrateToLatest(appDatabase(app));
  const redis = app.container.resolve<Redis | null>(TOKENS.Redis);
  if (redis) await redisReady(redis);
  return {
    app,
    stop: async () => {
      await app.close();
      await appDatabase(app).destroy();
      redis?.disconnect();
      await afterStop();
    },
  };
}

/** The app on in-memory stores (persistence 'memory'): for HTTP suites that run on it beside the databases. */
export const MEMORY_BACKEND: Backend = {
  name: 'in-memory stores',
  available: () => Promise.resolve(true),
  async start(options = {}) {
    const app = await startTestApp({ ...(options.clock ? { clock: options.clock } : {}), ...(options.env ? { env: options.env } : {}) });
    return { app, stop: () => app.close() };
  },
};

export const SQLITE_BACKEND: Backend = {
  name: 'SQLite (in memory)',
  available: () => Promise.resolve(true),
  start: (options = {}) => startOn('sqlite::memory:', options, () => Promise.resolve()),
};

export const MYSQL_BACKEND: Backend = {
  name: 'MySQL/MariaDB (TEST_MYSQL_URL)',
  available: () => {
    if (mysqlUrl() === null) warnMysqlSkipped();
    return Promise.resolve(mysqlUrl() !== null);
  },
  async start(options = {}) {
    const db: TestDatabase = await mysqlTestDatabase();
    return startOn(db.url, options, () => db.close());
  },
};

/** Users in SQLite, sessions and rate limits in the local Redis (REDIS_URL), under a prefix of its own. */
export const REDIS_BACKEND: Backend = {
  name: 'SQLite + Redis sessions (TEST_REDIS_URL)',
  async available() {
    const connected = await connectTestRedis();
    if (connected.redis === null) {
      warnRedisSkipped(testRedisUrl(), connected.reason);
      return false;
    }
    connected.redis.disconnect();
    return true;
  },
  async start(options = {}) {
    const prefix = uniqueRedisPrefix();
    return startOn('sqlite::memory:', { ...options, env: { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix, ...options.env } }, async () => {
      const cleaner = await connectTestRedis();
      if (cleaner.redis === null) return;
      await deleteKeysUnder(cleaner.redis, prefix);
      cleaner.redis.disconnect();
    });
  },
};

export const DATABASE_BACKENDS: readonly Backend[] = [SQLITE_BACKEND, MYSQL_BACKEND, REDIS_BACKEND];

/** Resolves once the container's client is connected: it queues nothing offline, so earlier calls would fail closed. */
function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    redis.once('ready', () => resolve());
    redis.once('end', () => reject(new Error('the app could not connect to Redis')));
  });
}
