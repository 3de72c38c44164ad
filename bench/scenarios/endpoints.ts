/**
 * Scenario: the service's endpoints (healthz, me, login, refresh, register) under autocannon, on a
 * fresh database seeded with N users and N stored refresh records; optionally followed by the RSS
 * scenario on the same service.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { PASSWORD, log, round } from '../lib/common.js';
import { BENCH_EMAIL, freshDatabase, seed, type DatabaseKind } from '../lib/databases.js';
import { login } from '../lib/http.js';
import { table } from '../lib/markdown.js';
import { cpuSeconds, rssMB } from '../lib/proc.js';
import { fetchMetrics, startService, type Service } from '../lib/start-service.js';
import { measureRss, type RssResult } from './rss.js';

export interface LoadOptions {
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly loginConnections: number;
}

export interface Row {
  readonly endpoint: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly cpuMsPerReq: number;
  readonly eldP99: number;
  readonly rssMB: number;
  readonly non2xx: number;
  readonly requests: number;
}

export interface EndpointsInput {
  readonly kind: DatabaseKind;
  readonly users: number;
  readonly mysqlUrl: string | null;
  /** The bcrypt hash of PASSWORD every seeded user shares. */
  readonly hash: string;
  readonly port: number;
  readonly bcryptCost: number;
  readonly load: LoadOptions;
  /** Also measure RSS over this many requests on the same service (null: not). */
  readonly rssRequests: number | null;
}

export interface EndpointsResult {
  readonly kind: DatabaseKind;
  readonly users: number;
  readonly rows: Row[];
  readonly rss: RssResult | null;
}

export async function benchEndpoints(input: EndpointsInput): Promise<EndpointsResult> {
  const database = await freshDatabase(input.kind, input.mysqlUrl);
  try {
    await seed(database.url, input.users, input.users, input.hash);
    const server = await startService({ databaseUrl: database.url, port: input.port, bcryptCost: input.bcryptCost });
    try {
      log(`--- ${input.kind}, ${input.users.toLocaleString('en')} users`);
      const rows = await measureService(server, input.users, input.load);
      const rss = input.rssRequests === null ? null : await measureRss({ server, requests: input.rssRequests, connections: input.load.connections });
      return { kind: input.kind, users: input.users, rows, rss };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

export const rowsTable = (rows: Row[]) =>
  table(
    ['endpoint', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'event-loop p99 ms', 'RSS MB', 'non-2xx'],
    rows.map((r) => [r.endpoint, r.rps, r.mean, r.p50, r.p99, r.cpuMsPerReq, r.eldP99, r.rssMB, r.non2xx]),
  );

/** Event-loop delay p99 since the last scrape (prom-client resets it at each scrape), minus the 10 ms sampling interval. */
export async function eventLoopP99(server: Service): Promise<number> {
  const text = await fetchMetrics(server);
  const m = text.match(/^nodejs_eventloop_lag_p99_seconds ([\d.e+-]+)$/m);
  return m ? Math.max(0, Number(m[1]) * 1000 - 10) : NaN;
}

type CannonOptions = Parameters<typeof autocannon>[0];

async function measure(server: Service, load: LoadOptions, endpoint: string, options: () => Partial<CannonOptions>): Promise<Row> {
  const run = (seconds: number) =>
    autocannon({ url: server.url, duration: seconds, timeout: 20, ...options() } as CannonOptions) as unknown as Promise<autocannon.Result>;
  if (load.warmup > 0) await run(load.warmup);
  await eventLoopP99(server); // reset the histogram
  const cpu0 = cpuSeconds(server.pid);
  const result = await run(load.duration);
  const cpu = cpuSeconds(server.pid) - cpu0;
  const row: Row = {
    endpoint,
    rps: round(result.requests.average, 0),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: round(result.latency.average, 2),
    cpuMsPerReq: round((cpu * 1000) / Math.max(1, result.requests.total), 3),
    eldP99: round(await eventLoopP99(server)),
    rssMB: round(rssMB(server.pid), 0),
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
  log(`${endpoint.padEnd(8)} ${String(row.rps).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  cpu ${row.cpuMsPerReq} ms/req  eld p99 ${row.eldP99} ms  non-2xx ${row.non2xx}`);
  return row;
}

async function measureService(server: Service, users: number, load: LoadOptions): Promise<Row[]> {
  const base = server.url;
  const otherUser = (i: number) => `u${1 + (i % Math.max(1, users - 1))}@bench.io`;
  // Access tokens of many users and sessions, handed out round-robin.
  const sessions = await Promise.all(Array.from({ length: 32 }, (_, i) => login(base, i === 0 ? BENCH_EMAIL : otherUser(i))));
  let next = 0;
  const accessTokens = sessions.map((s) => s.accessToken);
  const refreshPool: string[] = [];
  const topUp = async (n: number) => {
    const need = Math.max(0, n - refreshPool.length);
    for (let i = 0; i < need; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, need - i) }, (_, j) => login(base, otherUser(i + j))));
      refreshPool.push(...batch.map((b) => b.refreshToken));
    }
  };
  let registered = 0;
  const runId = randomBytes(3).toString('hex');
  const json = { 'content-type': 'application/json' };
  /** One kind of request at `path`, `connections` at a time; `setupRequest` adds what varies. */
  const single = (endpoint: string, connections: number, request: Omit<autocannon.Request, 'path'> & { path: string }) =>
    measure(server, load, endpoint, () => ({ connections, requests: [request] }));
  const rows: Row[] = [];

  rows.push(await measure(server, load, 'healthz', () => ({ connections: load.connections, path: '/healthz' })));
  rows.push(
    await single('me', load.connections, {
      method: 'GET',
      path: '/auth/me',
      setupRequest: (r: autocannon.Request) => ({ ...r, headers: { authorization: `Bearer ${accessTokens[next++ % accessTokens.length]}` } }),
    }),
  );
  rows.push(
    await single('login', load.loginConnections, {
      method: 'POST',
      path: '/auth/login',
      headers: json,
      setupRequest: (r: autocannon.Request) => ({ ...r, body: JSON.stringify({ email: otherUser(next++), password: PASSWORD }) }),
    }),
  );
  await topUp(load.connections * 2);
  rows.push(
    await single('refresh', load.connections, {
      method: 'POST',
      path: '/auth/refresh',
      headers: json,
      setupRequest: (r: autocannon.Request) => ({ ...r, body: JSON.stringify({ refreshToken: refreshPool.shift() ?? 'exhausted' }) }),
      onResponse: (status: number, body: string) => {
        if (status === 200) refreshPool.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
      },
    }),
  );
  rows.push(
    await single('register', load.loginConnections, {
      method: 'POST',
      path: '/auth/register',
      headers: json,
      setupRequest: (r: autocannon.Request) => ({ ...r, body: JSON.stringify({ email: `new-${runId}-${registered++}@bench.io`, password: PASSWORD }) }),
    }),
  );
  return rows;
}
