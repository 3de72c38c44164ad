/** Fresh, empty databases (and Redis key spaces) for one run, and how to seed and drop them. */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { freshMysqlDatabase } from '../service.js';
import { log } from './common.js';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface BenchDatabase {
  readonly kind: DatabaseKind;
  readonly url: string;
  drop(): Promise<void>;
}

/** A SQLite file `file` in a new temporary directory `<prefix>…`; dropping removes the directory. */
function freshSqliteDatabase(prefix: string, file: string): { url: string; drop(): Promise<void> } {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  return { url: `sqlite:${join(dir, file)}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** bench/run.ts: an empty SQLite file, or an empty `auth_bench_…` database on the server of `mysqlUrl`. */
export async function freshDatabase(kind: DatabaseKind, mysqlUrl: string | null): Promise<BenchDatabase> {
  const database = kind === 'sqlite' ? freshSqliteDatabase('auth-bench-', 'bench.sqlite3') : await freshMysqlDatabase(mysqlUrl as string, 'auth_bench');
  return { kind, url: database.url, drop: () => database.drop() };
}

/** The seeded user the peers' harness signs in as (bench/run.ts); the others are u<i>@bench.io. */
export const BENCH_EMAIL = 'user@example.com';

/** Users u0..u(n-1)@bench.io (and the peers' user@example.com) sharing one bcrypt hash, and `sessions` stored refresh records. */
export async function seed(url: string, users: number, sessions: number, hash: string): Promise<void> {
  const db: Knex = createDatabase(url);
  try {
    await migrateToLatest(db);
    const now = new Date();
    // SQLite caps a compound SELECT (knex's multi-row insert there) at 500 terms.
    const chunk = url.startsWith('sqlite:') ? 400 : 1000;
    const ids: string[] = [];
    const t0 = Date.now();
    // One transaction: a commit (and on MySQL a log flush) per chunk made a million rows take minutes.
    await db.transaction(async (trx) => {
      for (let start = 0; start < users; start += chunk) {
        const rows = [];
        for (let i = start; i < Math.min(users, start + chunk); i++) {
          const id = randomUUID();
          if (ids.length < 10_000) ids.push(id);
          rows.push({ id, email: i === 0 ? BENCH_EMAIL : `u${i}@bench.io`, name: null, password_hash: hash, last_sign_in_at: now, created_at: now });
        }
        await trx('users').insert(rows);
      }
      const expires = new Date(now.getTime() + 86_400_000);
      for (let start = 0; start < sessions; start += chunk) {
        const rows = [];
        for (let i = start; i < Math.min(sessions, start + chunk); i++) {
          rows.push({
            id: randomUUID(),
            user_id: ids[i % ids.length],
            created_at: now,
            last_used_at: now,
            expires_at: expires,
            user_agent: 'seed',
            current_token_digest: randomBytes(32).toString('base64url'),
            previous_token_digest: null,
            rotated_at: null,
            ended_at: i % 3 === 0 ? now : null,
          });
        }
        await trx('sessions').insert(rows);
      }
    });
    log(`seeded ${users.toLocaleString('en')} users and ${sessions.toLocaleString('en')} sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await db.destroy();
  }
}

/** bench/soak.ts: a database, and with `redisUrl` a Redis key prefix of the run's own, plus the service env that selects them. */
export interface Backend {
  readonly label: string;
  readonly databaseUrl: string;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

/** Deletes every key under `prefix` on the Redis of `redisUrl` (SCAN, never KEYS). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function freshBackend(options: { mysqlUrl: string | null; redisUrl: string | null; runId: string }): Promise<Backend> {
  const { mysqlUrl, redisUrl, runId } = options;
  const env: Record<string, string> = {};
  const database = mysqlUrl ? await freshMysqlDatabase(mysqlUrl, 'auth_soak') : freshSqliteDatabase('auth-soak-', 'soak.sqlite3');
  let label = mysqlUrl ? 'MySQL/MariaDB' : 'SQLite (file)';
  let dropRedis = async () => {};
  if (redisUrl) {
    // A prefix of its own: the soak never touches another run's keys, and removes its own after.
    const prefix = `soak-${runId}:`;
    env.REDIS_URL = redisUrl;
    env.REDIS_KEY_PREFIX = prefix;
    label += ' + Redis';
    dropRedis = () => deleteRedisKeys(redisUrl, prefix);
  }
  return {
    label,
    databaseUrl: database.url,
    env,
    drop: async () => {
      await dropRedis().catch((err: unknown) => log(`warning: Redis clean-up failed: ${(err as Error).message}`));
      await database.drop();
    },
  };
}
