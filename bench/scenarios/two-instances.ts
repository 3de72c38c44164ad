/**
 * Scenario: the production shape. Two instances of the built service on one MySQL/MariaDB and one
 * Redis (sessions, rate limits and the users' cache invalidation there; CACHE_TTL_MS left at its
 * default, 0, so every request asks Redis whether its session lives), both pinned to the one CPU a
 * single instance gets in the other scenarios, each driven by its own autocannon at once (half the
 * connections each). Their summed throughput is what the CPU gives in that shape.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { log, round } from '../lib/common.js';
import { BENCH_EMAIL, deleteRedisKeys, freshDatabase, seed } from '../lib/databases.js';
import { login } from '../lib/http.js';
import { cpuSeconds, rssMB } from '../lib/proc.js';
import { freePort, startService, type Service } from '../lib/start-service.js';
import { eventLoopP99, type LoadOptions, type Row } from './endpoints.js';

export interface TwoInstancesInput {
  readonly mysqlUrl: string;
  readonly redisUrl: string;
  readonly users: number;
  readonly hash: string;
  readonly bcryptCost: number;
  readonly load: LoadOptions;
}

export interface TwoInstancesResult {
  readonly users: number;
  /** One row per endpoint: req/s and CPU summed over both instances, latencies and event-loop p99 the worse of the two. */
  readonly rows: Row[];
}

type CannonOptions = Parameters<typeof autocannon>[0];
const cannon = (options: CannonOptions) => autocannon({ timeout: 20, ...options } as CannonOptions) as unknown as Promise<autocannon.Result>;

/** Both instances under load at once; `request(i)` is instance i's autocannon request. */
async function measureBoth(instances: Service[], load: LoadOptions, endpoint: string, request: (i: number) => Partial<CannonOptions>): Promise<Row> {
  const connections = Math.max(1, Math.floor(load.connections / instances.length));
  const run = (seconds: number) => Promise.all(instances.map((s, i) => cannon({ url: s.url, duration: seconds, connections, ...request(i) } as CannonOptions)));
  if (load.warmup > 0) await run(load.warmup);
  await Promise.all(instances.map((s) => eventLoopP99(s)));
  const cpu0 = instances.map((s) => cpuSeconds(s.pid));
  const results = await run(load.duration);
  const cpu = instances.reduce((sum, s, i) => sum + cpuSeconds(s.pid) - (cpu0[i] as number), 0);
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  const eld = await Promise.all(instances.map((s) => eventLoopP99(s)));
  const row: Row = {
    endpoint,
    rps: round(results.reduce((n, r) => n + r.requests.average, 0), 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    mean: round(results.reduce((n, r) => n + r.latency.average * r.requests.total, 0) / Math.max(1, total), 2),
    cpuMsPerReq: round((cpu * 1000) / Math.max(1, total), 3),
    eldP99: round(Math.max(...eld)),
    rssMB: round(Math.max(...instances.map((s) => rssMB(s.pid))), 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    requests: total,
  };
  log(`${endpoint.padEnd(8)} ${String(row.rps).padStart(7)} req/s (both)  p99 ${row.p99} ms  cpu ${row.cpuMsPerReq} ms/req  eld p99 ${row.eldP99} ms  non-2xx ${row.non2xx}`);
  return row;
}

export async function benchTwoInstances(input: TwoInstancesInput): Promise<TwoInstancesResult> {
  const database = await freshDatabase('mysql', input.mysqlUrl);
  const prefix = `auth-bench-${randomBytes(4).toString('hex')}:`;
  const instances: Service[] = [];
  try {
    await seed(database.url, input.users, 0, input.hash);
    const env = { REDIS_URL: input.redisUrl, REDIS_KEY_PREFIX: prefix, MIGRATE_ON_START: 'false' };
    // One set of secrets for both, as replicas have: a token one issues, the other accepts.
    const secrets = { JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'), JWT_REFRESH_SECRET: randomBytes(48).toString('base64url') };
    for (let i = 0; i < 2; i++) {
      instances.push(await startService({ databaseUrl: database.url, port: await freePort(), bcryptCost: input.bcryptCost, env: { ...env, ...secrets } }));
    }
    log(`--- two instances, MySQL + Redis, ${input.users.toLocaleString('en')} users`);
    const otherUser = (i: number) => `u${1 + (i % Math.max(1, input.users - 1))}@bench.io`;
    // Sessions started on either instance; each instance is sent tokens of both.
    const sessions = await Promise.all(Array.from({ length: 32 }, (_, i) => login((instances[i % 2] as Service).url, i === 0 ? BENCH_EMAIL : otherUser(i))));
    const tokens = sessions.map((s) => s.accessToken);
    let next = 0;
    const rows: Row[] = [];
    rows.push(await measureBoth(instances, input.load, 'healthz', () => ({ requests: [{ method: 'GET', path: '/healthz' }] })));
    rows.push(
      await measureBoth(instances, input.load, 'me', () => ({
        requests: [{ method: 'GET', path: '/auth/me', setupRequest: (r: autocannon.Request) => ({ ...r, headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` } }) }],
      })),
    );
    const pool: string[] = [];
    for (let i = 0; i < input.load.connections * 2; i += 8) {
      const batch = await Promise.all(Array.from({ length: 8 }, (_, j) => login((instances[j % 2] as Service).url, otherUser(i + j))));
      pool.push(...batch.map((b) => b.refreshToken));
    }
    rows.push(
      await measureBoth(instances, input.load, 'refresh', () => ({
        requests: [
          {
            method: 'POST',
            path: '/auth/refresh',
            headers: { 'content-type': 'application/json' },
            setupRequest: (r: autocannon.Request) => ({ ...r, body: JSON.stringify({ refreshToken: pool.shift() ?? 'exhausted' }) }),
            onResponse: (status: number, body: string) => {
              if (status === 200) pool.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
            },
          },
        ],
      })),
    );
    return { users: input.users, rows };
  } finally {
    await Promise.all(instances.map((s) => s.stop()));
    await deleteRedisKeys(input.redisUrl, prefix).catch((err: unknown) => log(`warning: Redis clean-up failed: ${(err as Error).message}`));
    await database.drop();
  }
}
