/**
 * What the per-request "is this session still live?" check costs: N primary-key lookups through
 * the TokenStore, against SQLite and (with BENCH_MYSQL_URL) MySQL.
 *   npx tsx bench/session-check.ts [N]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../src/adapters/persistence/knex/database.js';
import { KnexTokenStore } from '../src/adapters/persistence/knex/knex-token-store.js';
import { KnexUserRepository } from '../src/adapters/persistence/knex/knex-user-repository.js';
import { InMemoryTokenStore } from '../src/adapters/persistence/memory/in-memory-token-store.js';
import type { Email } from '../src/domain/email.js';
import type { TokenStore } from '../src/domain/ports/token-store.js';

const N = Number(process.argv[2] ?? 20_000);
const SESSIONS = 10_000;

async function seed(store: TokenStore, userId: string): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date();
  for (let i = 0; i < SESSIONS; i++) {
    const id = randomUUID();
    ids.push(id);
    await store.create({
      id, userId, createdAt: now, lastUsedAt: now, expiresAt: new Date(now.getTime() + 86_400_000),
      userAgent: 'bench', currentTokenDigest: randomUUID(), previousTokenDigest: null, rotatedAt: null, endedAt: null,
    });
  }
  return ids;
}

async function measure(name: string, store: TokenStore, ids: string[]): Promise<void> {
  for (let i = 0; i < 1000; i++) await store.find(ids[i % ids.length] as string);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await store.find(ids[(i * 7919) % ids.length] as string);
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(10)} ${((ms * 1000) / N).toFixed(1).padStart(7)} µs per check   ${Math.round(N / (ms / 1000)).toLocaleString('en').padStart(9)} checks/s (sequential, ${SESSIONS.toLocaleString('en')} sessions)`);
}

async function onKnex(name: string, db: Knex): Promise<void> {
  await migrateToLatest(db);
  const userId = randomUUID();
  await new KnexUserRepository(db).create({ id: userId, email: `${userId}@bench.io` as Email, name: null, passwordHash: null, emailVerified: false, roles: [], disabled: false, lastSignInAt: null, createdAt: new Date() });
  const store = new KnexTokenStore(db);
  await measure(name, store, await seed(store, userId));
}

const memory = new InMemoryTokenStore();
await measure('memory', memory, await seed(memory, 'u'));
const sqlite = createDatabase('sqlite::memory:');
await onKnex('sqlite', sqlite);
await sqlite.destroy();
if (process.env.BENCH_MYSQL_URL) {
  const mysql = createDatabase(process.env.BENCH_MYSQL_URL);
  await onKnex('mysql', mysql);
  await mysql.raw('delete from sessions');
  await mysql.raw('delete from users');
  await mysql.destroy();
}
