import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../src/adapters/persistence/knex/database.js';

export interface TestDatabase {
  readonly db: Knex;
  readonly url: string;
  /** Destroys the connection pool and, for MySQL, drops the database. */
  close(): Promise<void>;
}

/** A fresh, migrated in-memory SQLite database. */
export async function sqliteTestDatabase(): Promise<TestDatabase> {
  const url = 'sqlite::memory:';
  const db = createDatabase(url);
  await migrateToLatest(db);
  return { db, url, close: () => db.destroy() };
}

/** A SQLite file database (for tests that need several processes or connections on one file). */
export async function sqliteFileTestDatabase(file: string): Promise<TestDatabase> {
  const url = `sqlite:${file}`;
  const db = createDatabase(url);
  await migrateToLatest(db);
  return { db, url, close: () => db.destroy() };
}

export const mysqlUrl = (): string | null => process.env.TEST_MYSQL_URL?.trim() || null;

let warned = false;
/** Says once, loudly, that the MySQL suites did not run. */
export function warnMysqlSkipped(): void {
  if (warned) return;
  warned = true;
  process.stderr.write('\n  !! TEST_MYSQL_URL is not set: the MySQL/MariaDB suites are SKIPPED (CI sets it).\n\n');
}

/** A fresh database `auth_test_<random>` on the server of TEST_MYSQL_URL, migrated; dropped on close. */
export async function mysqlTestDatabase(): Promise<TestDatabase> {
  const base = mysqlUrl();
  if (!base) throw new Error('TEST_MYSQL_URL is not set');
  const name = `auth_test_${randomBytes(6).toString('hex')}`;
  const server = new URL(base);
  const admin = knex({
    client: 'mysql2',
    connection: {
      host: server.hostname,
      port: server.port ? Number(server.port) : 3306,
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    },
    pool: { min: 0, max: 1 },
  });
  await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString());
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
    await admin.destroy();
    throw err;
  }
  return {
    db,
    url: url.toString(),
    close: async () => {
      await db.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
      await admin.destroy();
    },
  };
}

/** In a `before` hook: a fresh MySQL test database, or the suite skipped with a loud warning when TEST_MYSQL_URL is unset. */
export async function mysqlDatabaseOrSkip(suite: Mocha.Context): Promise<TestDatabase> {
  if (mysqlUrl() === null) {
    warnMysqlSkipped();
    suite.skip();
  }
  return mysqlTestDatabase();
}
