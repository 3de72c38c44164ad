import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type { Logger } from 'pino';
import { migrationSource } from '../../../../migrations/index.js';

/**
 * MySQL deadlines. A database that refuses fails fast by itself; one that is silent (a host gone,
 * a partition: no RST) would hold a request for as long as TCP takes to give up, so every wait is
 * bounded and a request meets at most one acquire and one statement deadline before its 503.
 */
export const MYSQL_TIMEOUTS = {
  /** TCP connect and handshake of a new connection. */
  connectMs: 2000,
  /** Waiting for a pooled connection, creation included. */
  acquireMs: 2500,
  /** One statement's answer; past it the connection is dropped (its protocol state is unknown). */
  statementMs: 2500,
} as const;

type QueryCallback = (err: unknown, ...results: unknown[]) => void;
interface Mysql2Connection {
  query(options: unknown, values: unknown, callback: QueryCallback): unknown;
  readonly stream: { destroy(): void };
}

/**
 * Gives every statement knex sends on this connection mysql2's `timeout`. mysql2 answers a
 * timed-out query but keeps the connection waiting for the late reply, so the connection is
 * destroyed: the pool then discards it (knex validates connections on acquire).
 */
function boundStatements(conn: Mysql2Connection): void {
  const query = conn.query.bind(conn);
  conn.query = (options, values, callback) => {
    if (typeof options !== 'object' || options === null || typeof callback !== 'function') {
      return query(options, values, callback);
    }
    return query({ timeout: MYSQL_TIMEOUTS.statementMs, ...options }, values, (err, ...results) => {
      if ((err as { code?: unknown } | null)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') conn.stream.destroy();
      callback(err, ...results);
    });
  };
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  function(name: string, options: { deterministic: boolean }, fn: (value: unknown) => unknown): unknown;
  prepare(sql: string): unknown;
}

/** How many distinct statements one SQLite connection keeps compiled (knex's SQL has placeholders: the set is small). */
export const SQLITE_STATEMENT_CACHE = 256;

/**
 * knex's better-sqlite3 dialect compiles every query's SQL again (`prepare`, a sixth of a refresh's
 * CPU); a statement can be run again with other bindings, so each connection keeps the ones it
 * compiled. SQLite recompiles a kept statement by itself after a schema change. Past the bound,
 * new SQL (a whereIn of an unusual length, say) is compiled each time, as before.
 */
export function keepCompiledStatements(conn: SqliteConnection, max = SQLITE_STATEMENT_CACHE): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (kept.size < max) kept.set(sql, statement);
    }
    return statement;
  };
}

/** An SQL function on every SQLite connection: lower() with full Unicode case folding. */
export const SQLITE_UNICODE_LOWER = 'unicode_lower';

/** Knex settings for a DATABASE_URL: `mysql://user:pass@host:port/db` or `sqlite:<file>` (`sqlite::memory:`). */
export function knexConfig(databaseUrl: string): Knex.Config {
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length);
    return {
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        // One connection: SQLite serialises writers anyway; WAL lets readers of other processes in.
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          try {
            // SQLite's own lower() folds ASCII only; the user search folds case as MySQL's LOWER() and JavaScript do.
            conn.function(SQLITE_UNICODE_LOWER, { deterministic: true }, (value) => (typeof value === 'string' ? value.toLowerCase() : value));
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            keepCompiledStatements(conn);
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    };
  }
  const url = new URL(databaseUrl);
  return {
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')),
      timezone: 'Z',
      charset: 'utf8mb4',
      dateStrings: false,
      connectTimeout: MYSQL_TIMEOUTS.connectMs,
    },
    pool: {
      min: 0,
      max: 10,
      afterCreate: (conn: Mysql2Connection, done: (err: Error | null, conn: unknown) => void) => {
        boundStatements(conn);
        done(null, conn);
      },
    },
    acquireConnectionTimeout: MYSQL_TIMEOUTS.acquireMs,
  };
}

/** Knex's own warnings (a failed connection attempt, a pool timeout, a migration lock) as log lines: a code, never the driver's text. */
function knexLog(logger: Pick<Logger, 'warn'>): Knex.Config['log'] {
  const report = (message: unknown) => {
    const text = typeof message === 'string' ? message : message instanceof Error ? `${(message as { code?: string }).code ?? ''} ${message.message}` : '';
    const code = /\b(E[A-Z]{3,}|ER_[A-Z_]+|PROTOCOL_[A-Z_]+)\b/.exec(text)?.[1];
    if (/migration table is already locked/i.test(text)) logger.warn('database: another instance is migrating; waiting for it');
    // Its error is thrown to the caller, which reports it; its text may hold row data, so not here.
    else if (/^migration (file .* failed|failed with error)/i.test(text)) logger.warn('database: a migration failed');
    else if (!/release the lock manually/i.test(text)) logger.warn(code ? { code } : {}, 'database: connection problem');
  };
  return { warn: report, error: report, deprecate: () => undefined, debug: () => undefined };
}

export function createDatabase(databaseUrl: string, logger?: Pick<Logger, 'warn'>): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const filename = databaseUrl.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  }
  return knex({ ...knexConfig(databaseUrl), ...(logger ? { log: knexLog(logger) } : {}) });
}

/**
 * Applies pending migrations; returns the names it applied. Instances starting together take
 * turns. On MySQL a named server lock (GET_LOCK, per database) is held around the whole run,
 * because knex's own lock does not cover creating its bookkeeping tables: two instances on an
 * empty database could both create them, or both insert a lock row and be stuck for good.
 * Knex's lock is still honoured: while another process holds it, this one waits (up to
 * `lockWaitMs`), then finds nothing left to apply.
 */
export async function migrateToLatest(db: Knex, lockWaitMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + lockWaitMs;
  return withMigrationDatabase(db, (migrator) =>
    holdingMigrationLock(migrator, Math.ceil(lockWaitMs / 1000), async () => {
      for (;;) {
        try {
          const [, applied] = (await migrator.migrate.latest({ migrationSource })) as [number, string[]];
          return applied;
        } catch (err) {
          if ((err as { name?: unknown }).name !== 'MigrationLocked' || Date.now() > deadline) throw err;
          await sleep(250);
        }
      }
    }),
  );
}

/**
 * Migrations may legitimately run one long statement (an index on a big table), so on MySQL they
 * run on a small knex of their own whose connections have no statement deadline. (An
 * AsyncLocalStorage flag would do the same on the shared pool, but on Node 20 it turns on promise
 * hooks for the whole process: /auth/me lost two thirds of its throughput.)
 */
async function withMigrationDatabase<T>(db: Knex, work: (migrator: Knex) => Promise<T>): Promise<T> {
  const config = db.client.config as Knex.Config;
  if (config.client !== 'mysql2') return work(db);
  const migrator = knex({ ...config, pool: { min: 0, max: 2 } });
  try {
    return await work(migrator);
  } finally {
    await migrator.destroy();
  }
}

/** Runs `work` while this process holds MySQL's named lock for this database's migrations (SQLite: no lock needed). */
async function holdingMigrationLock<T>(db: Knex, waitSeconds: number, work: () => Promise<T>): Promise<T> {
  const config = db.client.config as Knex.Config;
  if (config.client !== 'mysql2') return work();
  const database = (config.connection as { database?: string }).database ?? '';
  const name = `auth-api:migrate:${database}`.slice(0, 64);
  const connection: unknown = await db.client.acquireConnection();
  try {
    const [rows] = (await db.raw('SELECT GET_LOCK(?, ?) AS got', [name, waitSeconds]).connection(connection)) as [Array<{ got: number | null }>];
    if (rows[0]?.got !== 1) throw new Error('timed out waiting for another instance to finish migrating');
    try {
      return await work();
    } finally {
      await db.raw('SELECT RELEASE_LOCK(?)', [name]).connection(connection);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}

export async function rollbackAll(db: Knex): Promise<void> {
  await withMigrationDatabase(db, (migrator) => migrator.migrate.rollback({ migrationSource }, true));
}

/** True when the database answers a trivial query. */
export async function isDatabaseReady(db: Knex): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
