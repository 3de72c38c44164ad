/**
 * npm run bench — the service started as a user would (built, NODE_ENV=production, real secrets),
 * pinned to CPU 0, driven by autocannon pinned to CPU 1, on SQLite and (with BENCH_MYSQL_URL) on
 * MySQL, with 1k and 1M users; then the peers of ../shared/peers in the same run. Prints tables
 * and writes BENCHMARKS.md.
 *
 *   npm run bench                                    # everything (about 15-20 minutes)
 *   npm run bench -- --duration 5 --no-data-size --no-peers
 *   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test npm run bench
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { createDatabase, migrateToLatest } from '../src/adapters/persistence/knex/database.js';
import { freshMysqlDatabase, sectionOf, startBuiltService, type BuiltService } from './service.js';

// ---------- options ----------
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const OPT = {
  duration: value('duration', 10),
  warmup: value('warmup', 2),
  connections: value('connections', 50),
  loginConnections: value('login-connections', 8),
  bcryptCost: value('bcrypt-cost', 10),
  rssRequests: value('rss-requests', 100_000),
  dataSize: !flag('no-data-size'),
  peers: !flag('no-peers'),
  mysqlUrl: process.env.BENCH_MYSQL_URL?.trim() || null,
  peersDir: resolve(process.env.BENCH_PEERS_DIR ?? join(import.meta.dirname, '../../shared/peers')),
  write: !flag('no-write'),
};
const ROOT = resolve(import.meta.dirname, '..');
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const PASSWORD = 'correct-horse-battery';
const BENCH_EMAIL = 'user@example.com';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const log = (...parts: unknown[]) => process.stderr.write(`# ${parts.join(' ')}\n`);
const round = (x: number, digits = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : NaN);

try {
  execFileSync('taskset', ['-a', '-cp', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
} catch {
  log('warning: taskset unavailable; the load generator is not pinned');
}

// ---------- process sampling ----------
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime, every thread (bcrypt's pool too)
}
function rssMB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---------- databases ----------
interface BenchDatabase {
  readonly kind: 'sqlite' | 'mysql';
  readonly url: string;
  drop(): Promise<void>;
}

async function freshDatabase(kind: 'sqlite' | 'mysql'): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'auth-bench-'));
    return { kind, url: `sqlite:${join(dir, 'bench.sqlite3')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const database = await freshMysqlDatabase(OPT.mysqlUrl as string, 'auth_bench');
  return { kind, url: database.url, drop: () => database.drop() };
}

/** Users u0..u(n-1)@bench.io (and the peers' user@example.com) sharing one bcrypt hash, and `sessions` stored refresh records. */
async function seed(url: string, users: number, sessions: number, hash: string): Promise<void> {
  const db: Knex = createDatabase(url);
  try {
    await migrateToLatest(db);
    const now = new Date();
    // SQLite caps a compound SELECT (knex's multi-row insert there) at 500 terms.
    const chunk = url.startsWith('sqlite:') ? 400 : 1000;
    const ids: string[] = [];
    const t0 = Date.now();
    for (let start = 0; start < users; start += chunk) {
      const rows = [];
      for (let i = start; i < Math.min(users, start + chunk); i++) {
        const id = randomUUID();
        if (ids.length < 10_000) ids.push(id);
        rows.push({ id, email: i === 0 ? BENCH_EMAIL : `u${i}@bench.io`, name: null, password_hash: hash, created_at: now });
      }
      await db('users').insert(rows);
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
      await db('sessions').insert(rows);
    }
    log(`seeded ${users.toLocaleString('en')} users and ${sessions.toLocaleString('en')} sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await db.destroy();
  }
}

// ---------- the service ----------
type Server = BuiltService;

async function startService(databaseUrl: string, port: number): Promise<Server> {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
    JWT_REFRESH_SECRET: randomBytes(48).toString('base64url'),
    BCRYPT_COST: String(OPT.bcryptCost),
    // Every load request comes from 127.0.0.1: the per-IP failure ceiling must not trip on the
    // harness's own contract checks (successes never count).
    LOGIN_IP_MAX_FAILURES: '1000000',
    LOG_LEVEL: 'warn',
  };
  return startBuiltService(ROOT, env, SERVER_CPU);
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

async function login(base: string, email: string) {
  const r = await post(`${base}/auth/login`, { email, password: PASSWORD });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status}`);
  return r.json as { accessToken: string; refreshToken: string };
}

/** Event-loop delay p99 since the last scrape (prom-client resets it at each scrape), minus the 10 ms sampling interval. */
async function eventLoopP99(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = text.match(/^nodejs_eventloop_lag_p99_seconds ([\d.e+-]+)$/m);
  return m ? Math.max(0, Number(m[1]) * 1000 - 10) : NaN;
}

// ---------- load ----------
interface Row {
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

type CannonOptions = Parameters<typeof autocannon>[0];

async function measure(server: Server, endpoint: string, options: () => Partial<CannonOptions>): Promise<Row> {
  const run = (seconds: number) =>
    autocannon({ url: server.url, duration: seconds, timeout: 20, ...options() } as CannonOptions) as unknown as Promise<autocannon.Result>;
  if (OPT.warmup > 0) await run(OPT.warmup);
  await eventLoopP99(server.url); // reset the histogram
  const cpu0 = cpuSeconds(server.pid);
  const result = await run(OPT.duration);
  const cpu = cpuSeconds(server.pid) - cpu0;
  const row: Row = {
    endpoint,
    rps: round(result.requests.average, 0),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: round(result.latency.average, 2),
    cpuMsPerReq: round((cpu * 1000) / Math.max(1, result.requests.total), 3),
    eldP99: round(await eventLoopP99(server.url)),
    rssMB: round(rssMB(server.pid), 0),
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
  log(`${endpoint.padEnd(8)} ${String(row.rps).padStart(7)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  cpu ${row.cpuMsPerReq} ms/req  eld p99 ${row.eldP99} ms  non-2xx ${row.non2xx}`);
  return row;
}

async function measureService(server: Server, users: number): Promise<Row[]> {
  const base = server.url;
  // Access tokens of many users and sessions, handed out round-robin.
  const sessions = await Promise.all(Array.from({ length: 32 }, (_, i) => login(base, i === 0 ? BENCH_EMAIL : `u${1 + (i % Math.max(1, users - 1))}@bench.io`)));
  let next = 0;
  const accessTokens = sessions.map((s) => s.accessToken);
  const refreshPool: string[] = [];
  const topUp = async (n: number) => {
    const need = Math.max(0, n - refreshPool.length);
    for (let i = 0; i < need; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, need - i) }, (_, j) => login(base, `u${1 + ((i + j) % Math.max(1, users - 1))}@bench.io`)),
      );
      refreshPool.push(...batch.map((b) => b.refreshToken));
    }
  };
  let registered = 0;
  const runId = randomBytes(3).toString('hex');
  const json = { 'content-type': 'application/json' };
  const rows: Row[] = [];

  rows.push(await measure(server, 'healthz', () => ({ connections: OPT.connections, path: '/healthz' })));
  rows.push(
    await measure(server, 'me', () => ({
      connections: OPT.connections,
      requests: [
        {
          method: 'GET',
          path: '/auth/me',
          setupRequest: (r: autocannon.Request) => ({ ...r, headers: { authorization: `Bearer ${accessTokens[next++ % accessTokens.length]}` } }),
        },
      ],
    })),
  );
  rows.push(
    await measure(server, 'login', () => ({
      connections: OPT.loginConnections,
      requests: [
        {
          method: 'POST',
          path: '/auth/login',
          headers: json,
          setupRequest: (r: autocannon.Request) => ({
            ...r,
            body: JSON.stringify({ email: `u${1 + (next++ % Math.max(1, users - 1))}@bench.io`, password: PASSWORD }),
          }),
        },
      ],
    })),
  );
  await topUp(OPT.connections * 2);
  rows.push(
    await measure(server, 'refresh', () => ({
      connections: OPT.connections,
      requests: [
        {
          method: 'POST',
          path: '/auth/refresh',
          headers: json,
          setupRequest: (r: autocannon.Request) => ({ ...r, body: JSON.stringify({ refreshToken: refreshPool.shift() ?? 'exhausted' }) }),
          onResponse: (status: number, body: string) => {
            if (status === 200) refreshPool.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
          },
        },
      ],
    })),
  );
  rows.push(
    await measure(server, 'register', () => ({
      connections: OPT.loginConnections,
      requests: [
        {
          method: 'POST',
          path: '/auth/register',
          headers: json,
          setupRequest: (r: autocannon.Request) => ({
            ...r,
            body: JSON.stringify({ email: `new-${runId}-${registered++}@bench.io`, password: PASSWORD }),
          }),
        },
      ],
    })),
  );
  return rows;
}

/**
 * RSS over a fixed number of authenticated requests. The heap breathes by tens of MB between
 * collections, so one reading before and one after would measure GC timing; instead the peak
 * RSS seen across warm-up chunks is compared with the peak across the measured chunks, and the
 * per-chunk series is kept (a leak grows chunk after chunk; a healthy heap levels off).
 */
async function measureRss(server: Server): Promise<{ before: number; after: number; requests: number; series: number[] }> {
  const { accessToken } = await login(server.url, BENCH_EMAIL);
  const chunk = Math.max(1000, Math.round(OPT.rssRequests / 5));
  const opts = { url: `${server.url}/auth/me`, connections: OPT.connections, headers: { authorization: `Bearer ${accessToken}` }, amount: chunk };
  const runChunk = async () => {
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssMB(server.pid))), 50);
    const result = (await autocannon(opts)) as unknown as autocannon.Result;
    clearInterval(timer);
    return { peak: Math.max(peak, rssMB(server.pid)), requests: result.requests.total };
  };
  let before = 0;
  for (let i = 0; i < 2; i++) before = Math.max(before, (await runChunk()).peak);
  const series: number[] = [];
  let requests = 0;
  for (let i = 0; i < 5; i++) {
    const { peak, requests: n } = await runChunk();
    series.push(round(peak, 0));
    requests += n;
  }
  return { before: round(before, 0), after: Math.max(...series), requests, series };
}

function bcryptCeiling(): number {
  const out = execFileSync('taskset', ['-c', String(SERVER_CPU), process.execPath, '--import', 'tsx', 'bench/bcrypt-ceiling.ts', String(OPT.bcryptCost), '8'], {
    cwd: ROOT,
  }).toString();
  return round((JSON.parse(out) as { perSecond: number }).perSecond, 1);
}

// ---------- peers ----------
interface PeerRow {
  readonly endpoint: string;
  readonly rps_mean: number;
  readonly lat_p50_ms: number;
  readonly lat_p99_ms: number;
}

function peerBench(target: string, extra: string[]): PeerRow[] | null {
  const file = join(os.tmpdir(), `peer-${target.replace(/\W/g, '_')}-${process.pid}.json`);
  try {
    execFileSync(process.execPath, [join(OPT.peersDir, 'bench.mjs'), target, '--duration', String(OPT.duration), '--warmup', String(OPT.warmup), '--json', file, ...extra], {
      cwd: OPT.peersDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { results?: PeerRow[] } | PeerRow[];
    return Array.isArray(parsed) ? parsed : (parsed.results ?? null);
  } catch (err) {
    log(`peer ${target} failed: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}

// ---------- report ----------
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const rowsTable = (rows: Row[]) =>
  table(
    ['endpoint', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'event-loop p99 ms', 'RSS MB', 'non-2xx'],
    rows.map((r) => [r.endpoint, r.rps, r.mean, r.p50, r.p99, r.cpuMsPerReq, r.eldP99, r.rssMB, r.non2xx]),
  );
const get = (rows: Row[] | undefined, endpoint: string) => rows?.find((r) => r.endpoint === endpoint);
const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : '**not met**');

async function main(): Promise<void> {
  const started = new Date();
  log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}`);
  const ceiling = bcryptCeiling();
  log(`bcrypt ceiling at cost ${OPT.bcryptCost} on CPU ${SERVER_CPU}: ${ceiling} compares/s`);
  const hash = await bcrypt.hash(PASSWORD, OPT.bcryptCost);

  const scenarios: Array<{ kind: 'sqlite' | 'mysql'; users: number }> = [{ kind: 'sqlite', users: 1000 }];
  if (OPT.dataSize) scenarios.push({ kind: 'sqlite', users: 1_000_000 });
  if (OPT.mysqlUrl) {
    scenarios.push({ kind: 'mysql', users: 1000 });
    if (OPT.dataSize) scenarios.push({ kind: 'mysql', users: 1_000_000 });
  }
  const results: Array<{ kind: string; users: number; rows: Row[] }> = [];
  let rss: { before: number; after: number; requests: number; series: number[] } | null = null;
  let port = 3300;
  for (const scenario of scenarios) {
    const database = await freshDatabase(scenario.kind);
    try {
      await seed(database.url, scenario.users, scenario.users, hash);
      const server = await startService(database.url, port++);
      try {
        log(`--- ${scenario.kind}, ${scenario.users.toLocaleString('en')} users`);
        results.push({ ...scenario, rows: await measureService(server, scenario.users) });
        if (scenario.kind === 'sqlite' && scenario.users === 1000) rss = await measureRss(server);
      } finally {
        await server.stop();
      }
    } finally {
      await database.drop();
    }
  }

  // Peers, and this service through the peers' own harness, in the same run.
  const peerRows: Array<{ name: string; rows: PeerRow[] }> = [];
  if (OPT.peers && existsSync(join(OPT.peersDir, 'bench.mjs')) && !existsSync(join(OPT.peersDir, 'node_modules'))) {
    log(`installing the peers' dependencies in ${OPT.peersDir}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: OPT.peersDir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (OPT.peers && existsSync(join(OPT.peersDir, 'node_modules'))) {
    for (const peer of ['koa', 'koa-lean', 'express', 'nest', 'fastify', 'raw-http']) {
      const rows = peerBench(peer, []);
      if (rows) peerRows.push({ name: peer, rows });
    }
    const database = await freshDatabase('sqlite');
    await seed(database.url, 1000, 1000, hash);
    const server = await startService(database.url, port);
    const rows = peerBench(server.url, ['--pid', String(server.pid), '--paths', 'hello=/healthz']);
    if (rows) peerRows.push({ name: 'auth-api (this service, SQLite)', rows });
    await server.stop();
    await database.drop();
  } else if (OPT.peers) {
    log(`peers skipped: no ${OPT.peersDir}/bench.mjs`);
  }

  // ---------- ratios against the targets ----------
  const sqlite1k = results.find((r) => r.kind === 'sqlite' && r.users === 1000)?.rows;
  const sqlite1m = results.find((r) => r.kind === 'sqlite' && r.users === 1_000_000)?.rows;
  const mysql1k = results.find((r) => r.kind === 'mysql' && r.users === 1000)?.rows;
  const peerRps = (name: string, endpoint: string) => peerRows.find((p) => p.name === name)?.rows.find((r) => r.endpoint === endpoint)?.rps_mean;
  const me = get(sqlite1k, 'me')?.rps ?? NaN;
  const bestClassic = Math.max(...['koa', 'express', 'nest'].map((p) => peerRps(p, 'me') ?? NaN).filter(Number.isFinite));
  const fastifyMe = peerRps('fastify', 'me');
  const koaRefresh = peerRps('koa', 'refresh');
  const refreshSqlite = get(sqlite1k, 'refresh')?.rps ?? NaN;
  const refreshMysql = get(mysql1k, 'refresh')?.rps;
  const loginRps = get(sqlite1k, 'login')?.rps ?? NaN;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 2) : null);
  // Mean latency (autocannon's p50 is whole milliseconds: 7 vs 9 ms would read as +29%).
  const within = (a: Row | undefined, b: Row | undefined) => (a && b ? round(b.mean / Math.max(a.mean, 0.001), 2) : null);
  const targets: Array<[string, string, number | string | null, boolean | null]> = [
    ['GET /auth/me ÷ own GET /healthz', '≥ 0.5', ratio(me, get(sqlite1k, 'healthz')?.rps), null],
    ['GET /auth/me ÷ best of Koa/Express/NestJS peers', '≥ 1.5', ratio(me, Number.isFinite(bestClassic) ? bestClassic : undefined), null],
    ['GET /auth/me ÷ Fastify peer', '≥ 0.9', ratio(me, fastifyMe), null],
    ['POST /auth/refresh (SQLite) ÷ Koa peer refresh (in memory)', '≥ 1', ratio(refreshSqlite, koaRefresh), null],
    ['POST /auth/refresh MySQL ÷ SQLite', '≥ 0.5', ratio(refreshMysql, refreshSqlite), null],
    ['POST /auth/login ÷ bcrypt ceiling (same cost, same CPU)', '≥ 0.9', ratio(loginRps, ceiling), null],
    ['event-loop p99 during login (ms)', '< 20', get(sqlite1k, 'login')?.eldP99 ?? null, null],
    ['event-loop p99 during /auth/me (ms)', '< 20', get(sqlite1k, 'me')?.eldP99 ?? null, null],
    [`RSS growth over ${OPT.rssRequests.toLocaleString('en')} requests (peak after − peak during warm-up, MB)`, '< 20', rss ? round(rss.after - rss.before, 0) : null, null],
    ['mean latency of /auth/me at 1M users ÷ at 1k', '≤ 1.1', within(get(sqlite1k, 'me'), get(sqlite1m, 'me')), null],
    ['mean latency of /auth/refresh at 1M users ÷ at 1k', '≤ 1.1', within(get(sqlite1k, 'refresh'), get(sqlite1m, 'refresh')), null],
    ['mean latency of /auth/login at 1M users ÷ at 1k', '≤ 1.1', within(get(sqlite1k, 'login'), get(sqlite1m, 'login')), null],
  ];
  const judged = targets.map(([what, goal, figure]) => {
    if (figure === null || typeof figure !== 'number') return [what, goal, figure ?? 'n/a', verdict(null)];
    const [op, bound] = [goal.split(' ')[0], Number(goal.split(' ')[1])];
    const ok = op === '≥' ? figure >= bound : op === '<' ? figure < bound : figure <= bound;
    return [what, goal, figure, verdict(ok)];
  });

  const sections = [
    '# Benchmarks',
    '',
    `Command: \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`${OPT.mysqlUrl ? ' with `BENCH_MYSQL_URL` set' : ''}  `,
    `Date: ${started.toISOString()}  `,
    `Machine: ${os.cpus()[0]?.model} × ${os.cpus().length} CPUs, ${round(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}  `,
    `Method: the built service (\`node dist/src/main.js\`, \`NODE_ENV=production\`, random 48-byte secrets, \`BCRYPT_COST=${OPT.bcryptCost}\`) pinned to CPU ${SERVER_CPU}; autocannon pinned to CPU ${CLIENT_CPU}; ${OPT.duration} s per endpoint after ${OPT.warmup} s of warm-up; ${OPT.connections} connections (${OPT.loginConnections} for login and register). \`/auth/me\` rotates over 32 users' access tokens; \`/auth/refresh\` takes a live refresh token from a pool and returns its successor (strict rotation); login rotates over the seeded users. Server CPU counts every thread (bcrypt's pool too); event-loop p99 is prom-client's, less its 10 ms sampling interval. The machine is shared and noisy (±30%): compare within one run.`,
    '',
    '## Targets',
    '',
    table(['target', 'goal', 'measured', 'verdict'], judged),
    '',
    `bcrypt's own ceiling at cost ${OPT.bcryptCost} on CPU ${SERVER_CPU}: ${ceiling} compares/s (bench/bcrypt-ceiling.ts).`,
    rss ? `RSS of the service: peak ${rss.before} MB over 2 warm-up chunks, then peaks per chunk over ${rss.requests.toLocaleString('en')} requests of GET /auth/me: ${rss.series.join(', ')} MB.` : '',
    '',
    ...results.flatMap((r) => [`## ${r.kind === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'}, ${r.users.toLocaleString('en')} users and ${r.users.toLocaleString('en')} stored refresh records`, '', rowsTable(r.rows), '']),
  ];
  if (peerRows.length > 0) {
    const endpoints = ['hello', 'me', 'login', 'refresh'];
    sections.push(
      '## Side by side with the peers (one run of ../shared/peers/bench.mjs for each)',
      '',
      'Same harness, same method for every server: `node ../shared/peers/bench.mjs <peer>`, and for this service `… <url> --paths hello=/healthz`. req/s, mean (p99 ms in brackets).',
      '',
      table(
        ['server', ...endpoints],
        peerRows.map((p) => [p.name, ...endpoints.map((e) => {
          const r = p.rows.find((x) => x.endpoint === e);
          return r ? `${r.rps_mean} (${r.lat_p99_ms})` : '—';
        })]),
      ),
      '',
    );
  }
  // The analysis of the figures (and the profile behind any target not met) is written by hand.
  const analysis = join(ROOT, 'bench', 'analysis.md');
  if (existsSync(analysis)) sections.push(readFileSync(analysis, 'utf8'));
  const report = sections.join('\n');
  process.stdout.write(`${report}\n`);
  if (OPT.write) {
    // The soak (npm run soak) writes its own section: it is kept as it is.
    const file = join(ROOT, 'BENCHMARKS.md');
    const soak = existsSync(file) ? sectionOf(readFileSync(file, 'utf8'), '## Soak') : null;
    writeFileSync(file, `${report}\n${soak ? `\n${soak}\n` : ''}`);
  }
}

await main();
