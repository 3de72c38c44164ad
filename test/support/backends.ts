import type { Knex } from 'knex';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from './app.js';
import { mysqlTestDatabase, mysqlUrl, type TestDatabase } from './databases.js';
import type { FixedClock } from './fixed-clock.js';

/** A database the real app can run on in HTTP tests: SQLite always, MySQL when TEST_MYSQL_URL is set. */
export interface Backend {
  readonly name: string;
  readonly available: () => boolean;
  /** Starts the app on a fresh, migrated database of this kind; `env` is added to the test environment. */
  start(options?: { clock?: FixedClock; env?: Record<string, string> }): Promise<{ app: TestApp; stop(): Promise<void> }>;
}

/** The knex instance the app runs on. */
export const appDatabase = (app: TestApp) => app.container.resolve<Knex>(TOKENS.Database);

async function startOn(url: string, options: { clock?: FixedClock; env?: Record<string, string> }, afterStop: () => Promise<void>) {
  const app = await startTestApp({ persistence: 'database', env: { DATABASE_URL: url, ...options.env }, ...(options.clock ? { clock: options.clock } : {}) });
  await migrateToLatest(appDatabase(app));
  return {
    app,
    stop: async () => {
      await app.close();
      await appDatabase(app).destroy();
      await afterStop();
    },
  };
}

export const SQLITE_BACKEND: Backend = {
  name: 'SQLite (in memory)',
  available: () => true,
  start: (options = {}) => startOn('sqlite::memory:', options, () => Promise.resolve()),
};

export const MYSQL_BACKEND: Backend = {
  name: 'MySQL/MariaDB (TEST_MYSQL_URL)',
  available: () => mysqlUrl() !== null,
  async start(options = {}) {
    const db: TestDatabase = await mysqlTestDatabase();
    return startOn(db.url, options, () => db.close());
  },
};

export const DATABASE_BACKENDS: readonly Backend[] = [SQLITE_BACKEND, MYSQL_BACKEND];
