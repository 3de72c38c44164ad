/**
 * npm run soak — the built service (NODE_ENV=production, random secrets, as bench/run.ts starts it)
 * under minutes of mixed traffic from virtual users, each one request at a time: register, login,
 * me, refresh with strict rotation (every virtual user keeps only its latest refresh token), list
 * sessions, logout, and now and then a wrong password. Every answer is counted by status; any 5xx,
 * any status other than the one the contract promises, or any network error fails the run (exit 1).
 * RSS and heap are read from /metrics every 5 s. At the end nothing may be lost: every registered
 * user still signs in and lists exactly the sessions it should, and the latest refresh token of
 * every session ever opened still rotates, or answers 401 if that session logged out.
 * Prints a Markdown summary and writes it as the "## Soak" section of BENCHMARKS.md.
 *
 *   npm run soak                                             # 180 s on SQLite
 *   SOAK_SECONDS=60 SOAK_USERS=8 npm run soak
 *   SOAK_MYSQL_URL=mysql://root@127.0.0.1:3306/test SOAK_REDIS_URL=redis://127.0.0.1:6379/0 npm run soak
 *
 * Knobs: SOAK_SECONDS (180), SOAK_USERS (virtual users, 16), SOAK_WARMUP_SECONDS (min(30, a sixth
 * of the run)), SOAK_BCRYPT_COST (8), SOAK_THINK_MS (pause between one user's requests, 0),
 * SOAK_MYSQL_URL, SOAK_REDIS_URL, SOAK_WRITE=0 (print only, leave BENCHMARKS.md alone).
 * Memory is reported, not judged by the exit code: on a shared machine one run's slope is a hint.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { freshMysqlDatabase, startBuiltService, writeSection, type BuiltService } from './service.js';

// ---------- options ----------
const num = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}`);
  return n;
};
const SECONDS = num('SOAK_SECONDS', 180, 10);
const OPT = {
  seconds: SECONDS,
  users: Math.round(num('SOAK_USERS', 16, 1)),
  warmup: num('SOAK_WARMUP_SECONDS', Math.min(30, Math.round(SECONDS / 6)), 0),
  bcryptCost: Math.round(num('SOAK_BCRYPT_COST', 8, 4)),
  thinkMs: num('SOAK_THINK_MS', 0, 0),
  mysqlUrl: process.env.SOAK_MYSQL_URL?.trim() || null,
  redisUrl: process.env.SOAK_REDIS_URL?.trim() || null,
  write: process.env.SOAK_WRITE !== '0',
  sampleMs: 5000,
};
const ROOT = resolve(import.meta.dirname, '..');
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const PASSWORD = 'correct-horse-battery';
const WRONG_PASSWORD = 'not-the-password';
const RUN_ID = randomBytes(3).toString('hex');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...parts: unknown[]) => process.stderr.write(`# ${parts.join(' ')}\n`);
const round = (x: number, digits = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : NaN);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const percentile = (sorted: number[], p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : NaN);

try {
  execFileSync('taskset', ['-a', '-cp', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
} catch {
  log('warning: taskset unavailable; the load generator is not pinned');
}

// ---------- backends ----------
interface Backend {
  readonly label: string;
  readonly databaseUrl: string;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

async function freshBackend(): Promise<Backend> {
  const env: Record<string, string> = {};
  let label: string;
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  if (OPT.mysqlUrl) {
    const database = await freshMysqlDatabase(OPT.mysqlUrl, 'auth_soak');
    databaseUrl = database.url;
    label = 'MySQL/MariaDB';
    dropDatabase = () => database.drop();
  } else {
    const dir = mkdtempSync(join(os.tmpdir(), 'auth-soak-'));
    databaseUrl = `sqlite:${join(dir, 'soak.sqlite3')}`;
    label = 'SQLite (file)';
    dropDatabase = async () => rmSync(dir, { recursive: true, force: true });
  }
  let dropRedis = async () => {};
  if (OPT.redisUrl) {
    // A prefix of its own: the soak never touches another run's keys, and removes its own after.
    const prefix = `soak-${RUN_ID}:`;
    env.REDIS_URL = OPT.redisUrl;
    env.REDIS_KEY_PREFIX = prefix;
    label += ' + Redis';
    dropRedis = async () => {
      const redis = new Redis(OPT.redisUrl as string, { lazyConnect: true, maxRetriesPerRequest: 1 });
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
    };
  }
  return {
    label,
    databaseUrl,
    env,
    drop: async () => {
      await dropRedis().catch((err: unknown) => log(`warning: Redis clean-up failed: ${(err as Error).message}`));
      await dropDatabase();
    },
  };
}

// ---------- the service ----------
type Service = BuiltService;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

async function startService(backend: Backend): Promise<Service> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: backend.databaseUrl,
    JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
    JWT_REFRESH_SECRET: randomBytes(48).toString('base64url'),
    BCRYPT_COST: String(OPT.bcryptCost),
    // Every request comes from 127.0.0.1 and wrong passwords are part of the mix: the throttle
    // must not turn the soak into a test of itself.
    LOGIN_MAX_FAILURES: '1000',
    LOGIN_IP_MAX_FAILURES: '1000000',
    LOG_LEVEL: 'warn',
    ...backend.env,
  };
  if (!backend.env.REDIS_URL) delete env.REDIS_URL;
  return startBuiltService(ROOT, env, SERVER_CPU);
}

// ---------- counting ----------
interface Failure {
  readonly what: string;
  readonly detail: string;
}

class Tally {
  /** endpoint → status (or "ERR") → count */
  readonly statuses = new Map<string, Map<string, number>>();
  readonly latencies = new Map<string, number[]>();
  readonly failures: Failure[] = [];
  failureCount = 0;
  serverErrors = 0;
  unexpected = 0;
  networkErrors = 0;
  requests = 0;

  count(endpoint: string, status: string, ms: number | null): void {
    const byStatus = this.statuses.get(endpoint) ?? new Map<string, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.statuses.set(endpoint, byStatus);
    if (ms !== null) {
      const list = this.latencies.get(endpoint) ?? [];
      list.push(ms);
      this.latencies.set(endpoint, list);
    }
    this.requests++;
  }

  fail(what: string, detail: string): void {
    this.failureCount++;
    // The first few tell the story; the count says how many.
    if (this.failures.length < 20) this.failures.push({ what, detail });
    if (this.failureCount <= 5) log(`FAILURE ${what}: ${detail}`);
  }
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | unknown[] | null;
}

let BASE = '';

/**
 * One request; its status is counted under `endpoint` and checked against `expected`. Returns null
 * (after recording the failure) on a network error, a 5xx or any other status than expected.
 */
async function send(
  tally: Tally,
  endpoint: string,
  expected: number,
  method: string,
  path: string,
  options: { json?: unknown; token?: string } = {},
): Promise<Answer | null> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `soak/${RUN_ID}` };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const t0 = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: AbortSignal.timeout(30_000),
    });
    text = await res.text();
  } catch (err) {
    tally.count(endpoint, 'ERR', null);
    tally.networkErrors++;
    tally.fail(endpoint, `network error: ${(err as Error).message}`);
    return null;
  }
  tally.count(endpoint, String(res.status), performance.now() - t0);
  let body: Answer['body'];
  try {
    body = text ? (JSON.parse(text) as Answer['body']) : null;
  } catch {
    body = null;
  }
  if (res.status >= 500) tally.serverErrors++;
  if (res.status !== expected) {
    if (res.status < 500) tally.unexpected++;
    const code = body && !Array.isArray(body) && typeof body.code === 'string' ? ` ${body.code}` : '';
    tally.fail(endpoint, `expected ${expected}, got ${res.status}${code}`);
    return null;
  }
  return { status: res.status, body };
}

// ---------- the world the virtual users build ----------
interface SessionRecord {
  readonly user: UserRecord;
  /** The latest refresh token of this session: the only one that may still work (strict rotation). */
  refreshToken: string;
  ended: boolean;
}

interface UserRecord {
  readonly email: string;
  /** Sessions opened and not logged out, as this run knows them. */
  live: number;
  readonly sessions: SessionRecord[];
}

const users: UserRecord[] = [];
const stats = { sessionsOpened: 0, sessionsEnded: 0, rotations: 0, listsMatched: 0 };

class VirtualUser {
  private user: UserRecord | null = null;
  private session: SessionRecord | null = null;
  private accessToken: string | null = null;

  constructor(
    private readonly index: number,
    private readonly tally: Tally,
  ) {}

  /** The session whose latest refresh token this user holds at the end (ended if it logged out). */
  get finalSession(): SessionRecord | null {
    return this.session;
  }

  async run(deadline: number): Promise<void> {
    let n = 0;
    while (performance.now() < deadline) {
      await this.step();
      n++;
      if (OPT.thinkMs > 0) await sleep(Math.random() * 2 * OPT.thinkMs);
      else if (n % 50 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  private signedIn(): boolean {
    return this.session !== null && !this.session.ended && this.accessToken !== null;
  }

  private async step(): Promise<void> {
    if (!this.user) return this.register();
    if (!this.signedIn()) return Math.random() < 0.8 ? this.login() : this.register();
    const roll = Math.random() * 100;
    if (roll < 35) return this.me();
    if (roll < 60) return this.refresh();
    if (roll < 72) return this.listSessions();
    if (roll < 81) return this.login();
    if (roll < 87) return this.wrongPassword();
    if (roll < 94) return this.logout();
    return this.register();
  }

  private adopt(user: UserRecord, body: Record<string, unknown>): void {
    const refreshToken = body.refreshToken;
    const accessToken = body.accessToken;
    if (typeof refreshToken !== 'string' || typeof accessToken !== 'string') {
      this.tally.fail('tokens', `no tokens in a sign-in answer for ${user.email}`);
      return;
    }
    const session: SessionRecord = { user, refreshToken, ended: false };
    user.sessions.push(session);
    user.live++;
    stats.sessionsOpened++;
    this.user = user;
    this.session = session;
    this.accessToken = accessToken;
  }

  private async register(): Promise<void> {
    const email = `soak-${RUN_ID}-${this.index}-${users.length}-${randomBytes(2).toString('hex')}@soak.example`;
    const answer = await send(this.tally, 'POST /auth/register', 201, 'POST', '/auth/register', { json: { email, password: PASSWORD, name: `VU ${this.index}` } });
    if (!answer) return;
    const user: UserRecord = { email, live: 0, sessions: [] };
    users.push(user);
    this.adopt(user, answer.body as Record<string, unknown>);
  }

  private async login(): Promise<void> {
    const user = this.user as UserRecord;
    const answer = await send(this.tally, 'POST /auth/login', 200, 'POST', '/auth/login', { json: { email: user.email, password: PASSWORD } });
    if (answer) this.adopt(user, answer.body as Record<string, unknown>);
  }

  private async wrongPassword(): Promise<void> {
    const user = this.user as UserRecord;
    await send(this.tally, 'POST /auth/login (wrong password)', 401, 'POST', '/auth/login', { json: { email: user.email, password: WRONG_PASSWORD } });
  }

  private async me(): Promise<void> {
    const answer = await send(this.tally, 'GET /auth/me', 200, 'GET', '/auth/me', { token: this.accessToken as string });
    const email = answer && !Array.isArray(answer.body) ? answer.body?.email : undefined;
    if (answer && email !== this.user?.email) this.tally.fail('GET /auth/me', `answered ${String(email)} for ${this.user?.email}`);
  }

  private async refresh(): Promise<void> {
    const session = this.session as SessionRecord;
    const answer = await send(this.tally, 'POST /auth/refresh', 200, 'POST', '/auth/refresh', { json: { refreshToken: session.refreshToken } });
    if (!answer) return;
    const body = answer.body as Record<string, unknown>;
    if (typeof body.refreshToken !== 'string' || typeof body.accessToken !== 'string' || body.refreshToken === session.refreshToken) {
      this.tally.fail('POST /auth/refresh', 'no new refresh token (rotation)');
      return;
    }
    session.refreshToken = body.refreshToken;
    this.accessToken = body.accessToken;
    stats.rotations++;
  }

  private async listSessions(): Promise<void> {
    const answer = await send(this.tally, 'GET /auth/sessions', 200, 'GET', '/auth/sessions', { token: this.accessToken as string });
    if (!answer) return;
    const list = Array.isArray(answer.body) ? (answer.body as Array<{ current?: unknown }>) : [];
    const user = this.user as UserRecord;
    // Only this virtual user touches this user's sessions: the list must be exact.
    if (list.length !== user.live || list.filter((s) => s.current === true).length !== 1) {
      this.tally.fail('GET /auth/sessions', `${list.length} sessions (${list.filter((s) => s.current === true).length} current) for ${user.email}, expected ${user.live} (1 current)`);
    } else {
      stats.listsMatched++;
    }
  }

  private async logout(): Promise<void> {
    const session = this.session as SessionRecord;
    const answer = await send(this.tally, 'POST /auth/logout', 204, 'POST', '/auth/logout', { json: { refreshToken: session.refreshToken } });
    if (!answer) return;
    session.ended = true;
    session.user.live--;
    stats.sessionsEnded++;
    this.accessToken = null;
  }
}

// ---------- memory ----------
/** What is sampled, in MB: RSS, and the V8 heap used and committed, and memory outside the heap (Buffers). */
const SERIES = [
  { key: 'rss', label: 'RSS', metric: 'process_resident_memory_bytes' },
  { key: 'heapUsed', label: 'heap used', metric: 'nodejs_heap_size_used_bytes' },
  { key: 'heapTotal', label: 'heap total', metric: 'nodejs_heap_size_total_bytes' },
  { key: 'external', label: 'external', metric: 'nodejs_external_memory_bytes' },
] as const;
type SeriesKey = (typeof SERIES)[number]['key'];

interface Sample {
  readonly t: number;
  readonly mb: Record<SeriesKey, number>;
}

function procRssMB(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function sample(service: Service, t: number): Promise<Sample> {
  const mb = { rss: NaN, heapUsed: NaN, heapTotal: NaN, external: NaN } as Record<SeriesKey, number>;
  try {
    const text = await (await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    for (const { key, metric } of SERIES) mb[key] = Number(new RegExp(`^${metric} ([\\d.e+-]+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
  } catch (err) {
    log(`warning: /metrics unreadable: ${(err as Error).message}`);
  }
  // Without /metrics, the kernel's figure for RSS.
  if (!Number.isFinite(mb.rss)) mb.rss = procRssMB(service.pid);
  return { t, mb };
}

interface MemoryTrend {
  readonly samples: number;
  readonly first: Record<SeriesKey, number>;
  readonly last: Record<SeriesKey, number>;
  /** MB per minute between the centres of the two windows. */
  readonly slope: Record<SeriesKey, number>;
  /**
   * The lowest heap used in each window: what survives a major GC. The mean also follows how far V8
   * lets garbage pile up between collections, which grows with the heap; the floor is what is kept.
   */
  readonly heapFloor: { readonly first: number; readonly last: number; readonly slope: number };
  readonly span: string;
}

/** Mean of the first third after warm-up against the mean of the last third, per minute between their centres. */
function trend(samples: Sample[], warmup: number): MemoryTrend | null {
  const steady = samples.filter((s) => s.t >= warmup);
  const k = Math.floor(steady.length / 3);
  if (k < 1) return null;
  const firstWindow = steady.slice(0, k);
  const lastWindow = steady.slice(steady.length - k);
  const minutes = (mean(lastWindow.map((s) => s.t)) - mean(firstWindow.map((s) => s.t))) / 60;
  const first = {} as Record<SeriesKey, number>;
  const last = {} as Record<SeriesKey, number>;
  const slope = {} as Record<SeriesKey, number>;
  for (const { key } of SERIES) {
    first[key] = mean(firstWindow.map((s) => s.mb[key]));
    last[key] = mean(lastWindow.map((s) => s.mb[key]));
    slope[key] = (last[key] - first[key]) / minutes;
  }
  const floor = (window: Sample[]) => Math.min(...window.map((s) => s.mb.heapUsed));
  const heapFloor = { first: floor(firstWindow), last: floor(lastWindow), slope: (floor(lastWindow) - floor(firstWindow)) / minutes };
  const t = (s: Sample | undefined) => round(s?.t ?? NaN, 0);
  return { samples: k, first, last, slope, heapFloor, span: `${t(firstWindow[0])}–${t(firstWindow[k - 1])} s vs ${t(lastWindow[0])}–${t(lastWindow[k - 1])} s` };
}

// ---------- the end: nothing lost ----------
async function inBatches<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

interface FinalChecks {
  liveRefreshed: number;
  liveTotal: number;
  endedRefused: number;
  endedTotal: number;
  vuLive: number;
  vuLiveOk: number;
  vuEnded: number;
  vuEndedOk: number;
  usersSignedIn: number;
  usersListedExactly: number;
}

async function finalChecks(tally: Tally, vus: VirtualUser[]): Promise<FinalChecks> {
  const result: FinalChecks = { liveRefreshed: 0, liveTotal: 0, endedRefused: 0, endedTotal: 0, vuLive: 0, vuLiveOk: 0, vuEnded: 0, vuEndedOk: 0, usersSignedIn: 0, usersListedExactly: 0 };
  // Every session ever opened, the virtual users' final ones first (their own line in the report).
  const finals = new Set(vus.map((vu) => vu.finalSession).filter((s): s is SessionRecord => s !== null));
  const all = [...finals, ...users.flatMap((u) => u.sessions).filter((s) => !finals.has(s))];
  await inBatches(all, 8, async (session) => {
    const expected = session.ended ? 401 : 200;
    const answer = await send(tally, session.ended ? 'final: refresh (logged out)' : 'final: refresh (live)', expected, 'POST', '/auth/refresh', { json: { refreshToken: session.refreshToken } });
    if (session.ended) {
      result.endedTotal++;
      if (answer) result.endedRefused++;
    } else {
      result.liveTotal++;
      if (answer) result.liveRefreshed++;
    }
    if (finals.has(session)) {
      if (session.ended) {
        result.vuEnded++;
        if (answer) result.vuEndedOk++;
      } else {
        result.vuLive++;
        if (answer) result.vuLiveOk++;
      }
    }
  });
  // Then every user signs in once more and must see its live sessions plus this new one.
  await inBatches(users, 4, async (user) => {
    const answer = await send(tally, 'final: login', 200, 'POST', '/auth/login', { json: { email: user.email, password: PASSWORD } });
    if (!answer) return;
    result.usersSignedIn++;
    const token = (answer.body as { accessToken?: string }).accessToken;
    const list = await send(tally, 'final: sessions', 200, 'GET', '/auth/sessions', { token: token ?? '' });
    if (!list) return;
    const count = Array.isArray(list.body) ? list.body.length : -1;
    if (count === user.live + 1) result.usersListedExactly++;
    else tally.fail('final: sessions', `${user.email} lists ${count} sessions, expected ${user.live + 1}`);
  });
  return result;
}

// ---------- report ----------
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function statusTable(tally: Tally, filter: (endpoint: string) => boolean): string {
  const rows = [...tally.statuses]
    .filter(([endpoint]) => filter(endpoint))
    .map(([endpoint, byStatus]) => {
      const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
      const sorted = [...(tally.latencies.get(endpoint) ?? [])].sort((a, b) => a - b);
      const statuses = [...byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([s, c]) => `${s}: ${c.toLocaleString('en')}`).join(', ');
      return [endpoint, total.toLocaleString('en'), statuses, round(mean(sorted), 2), round(percentile(sorted, 50), 1), round(percentile(sorted, 99), 1), round(sorted[sorted.length - 1] ?? NaN, 0)];
    });
  return table(['request', 'count', 'statuses', 'mean ms', 'p50 ms', 'p99 ms', 'max ms'], rows);
}

// ---------- main ----------
async function main(): Promise<number> {
  const started = new Date();
  if (!existsSync(join(ROOT, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: run `npm run soak` (it builds first)');
  const backend = await freshBackend();
  const tally = new Tally();
  const samples: Sample[] = [];
  let service: Service | null = null;
  // Assigned in the try block; when it throws, nothing below runs.
  let checks!: FinalChecks;
  let elapsed!: number;
  let exitedEarly: string | null = null;
  try {
    service = await startService(backend);
    BASE = service.url;
    const svc = service;
    log(`${backend.label}; ${OPT.users} virtual users for ${OPT.seconds} s (warm-up ${OPT.warmup} s), BCRYPT_COST=${OPT.bcryptCost}, service pid ${svc.pid}`);

    const t0 = performance.now();
    samples.push(await sample(svc, 0));
    const sampler = setInterval(() => {
      const t = (performance.now() - t0) / 1000;
      void sample(svc, t).then((s) => {
        samples.push(s);
        log(`t=${round(t, 0)} s  requests ${tally.requests.toLocaleString('en')}  RSS ${round(s.mb.rss)} MB  heap ${round(s.mb.heapUsed)} MB  failures ${tally.failureCount}`);
      });
    }, OPT.sampleMs);
    const deadline = t0 + OPT.seconds * 1000;
    const vus = Array.from({ length: OPT.users }, (_, i) => new VirtualUser(i, tally));
    await Promise.all(vus.map((vu) => vu.run(deadline)));
    elapsed = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (svc.child.exitCode !== null || svc.child.signalCode !== null) exitedEarly = `the service exited during the run (${svc.child.exitCode ?? svc.child.signalCode})`;
    samples.push(await sample(svc, elapsed));
    samples.sort((a, b) => a.t - b.t);

    log(`traffic done: ${tally.requests.toLocaleString('en')} requests in ${round(elapsed)} s; checking ${users.length} users and ${stats.sessionsOpened} sessions`);
    const trafficRequests = tally.requests;
    checks = await finalChecks(tally, vus);
    log(`final checks done (${(tally.requests - trafficRequests).toLocaleString('en')} requests)`);
  } finally {
    await service?.stop();
    await backend.drop();
  }

  const traffic = (e: string) => !e.startsWith('final:');
  const trafficCount = [...tally.statuses].filter(([e]) => traffic(e)).reduce((n, [, m]) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
  const memory = trend(samples, OPT.warmup);
  const problems: string[] = [];
  if (exitedEarly) problems.push(exitedEarly);
  if (tally.serverErrors) problems.push(`${tally.serverErrors} answers were 5xx`);
  if (tally.unexpected) problems.push(`${tally.unexpected} answers had an unexpected status`);
  if (tally.networkErrors) problems.push(`${tally.networkErrors} requests failed at the network level`);
  const otherFailures = tally.failureCount - tally.serverErrors - tally.unexpected - tally.networkErrors;
  if (otherFailures > 0) problems.push(`${otherFailures} consistency checks failed`);
  if (checks.usersSignedIn !== users.length) problems.push(`${users.length - checks.usersSignedIn} users could not sign in at the end`);
  const passed = problems.length === 0;
  // A leak raises what survives garbage collection (the heap's floor); the mean heap and RSS also
  // follow where in its sawtooth V8 happens to be, and how much it has reserved, so they only inform.
  const flat = memory ? memory.heapFloor.slope <= 1 : null;

  const envShown = ['SOAK_SECONDS', 'SOAK_USERS', 'SOAK_WARMUP_SECONDS', 'SOAK_BCRYPT_COST', 'SOAK_THINK_MS']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${process.env[k]}`)
    .concat(OPT.mysqlUrl ? ['SOAK_MYSQL_URL=…'] : [], OPT.redisUrl ? ['SOAK_REDIS_URL=…'] : []);
  const c: FinalChecks | null = checks;
  const lines = [
    '## Soak',
    '',
    `Command: \`${envShown.length ? `${envShown.join(' ')} ` : ''}npm run soak\` (bench/soak.ts)  `,
    `Date: ${started.toISOString()}  `,
    `Machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} CPUs, ${round(os.totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}; shared with other work, so the figures are noisy  `,
    `Method: the built service (\`node dist/src/main.js\`, \`NODE_ENV=production\`, random secrets, \`BCRYPT_COST=${OPT.bcryptCost}\`, \`LOGIN_MAX_FAILURES=1000\`, \`LOGIN_IP_MAX_FAILURES=1000000\`) on ${backend.label}, pinned to CPU ${SERVER_CPU}; ${OPT.users} virtual users on CPU ${CLIENT_CPU}, each one request at a time${OPT.thinkMs ? ` with ~${OPT.thinkMs} ms pauses` : ', no pauses'}, for ${OPT.seconds} s. Signed in, a user picks: me 35%, refresh 25% (strict rotation: it keeps only its latest refresh token), list sessions 12% (the list must match exactly what it opened and closed), login again 9% (a new session; the old one stays live), wrong password 6% (must be 401), logout 7%, register a new user 6%; signed out: login 80%, register 20%. RSS, V8 heap (used and total) and external memory from \`/metrics\` every ${OPT.sampleMs / 1000} s.`,
    '',
    `**Result: ${passed ? 'passed' : 'FAILED'}**${passed ? ' — no 5xx, no unexpected status, nothing lost.' : ` — ${problems.join('; ')}.`}`,
    '',
    `### Traffic: ${trafficCount.toLocaleString('en')} requests in ${round(elapsed, 0)} s (${round(trafficCount / Math.max(elapsed, 1), 0)} req/s)`,
    '',
    statusTable(tally, traffic),
    '',
    '### Nothing lost',
    '',
    c
      ? table(
          ['check', 'result'],
          [
            ['users registered', users.length.toLocaleString('en')],
            ['… each still signs in (200)', `${c.usersSignedIn} of ${users.length}`],
            ['… and lists exactly its live sessions + the new one', `${c.usersListedExactly} of ${users.length}`],
            ['sessions opened / ended by logout / refresh rotations', `${stats.sessionsOpened.toLocaleString('en')} / ${stats.sessionsEnded.toLocaleString('en')} / ${stats.rotations.toLocaleString('en')}`],
            ["live sessions: the latest refresh token still rotates (200)", `${c.liveRefreshed} of ${c.liveTotal}`],
            ['logged-out sessions: the last refresh token is refused (401)', `${c.endedRefused} of ${c.endedTotal}`],
            ["virtual users' final refresh token: live → 200", `${c.vuLiveOk} of ${c.vuLive}`],
            ["virtual users' final refresh token: logged out → 401", `${c.vuEndedOk} of ${c.vuEnded}`],
            ['session lists that matched during the run', `${stats.listsMatched.toLocaleString('en')} of ${(tally.statuses.get('GET /auth/sessions')?.get('200') ?? 0).toLocaleString('en')}`],
          ],
        )
      : 'The final checks did not run.',
    '',
    c ? statusTable(tally, (e) => !traffic(e)) : '',
    '',
    '### Memory',
    '',
    memory
      ? table(
          [`window (after a warm-up of ${OPT.warmup} s)`, 'samples', ...SERIES.map((x) => `mean ${x.label} MB`)],
          [
            ['first third', memory.samples, ...SERIES.map((x) => round(memory.first[x.key]))],
            ['last third', memory.samples, ...SERIES.map((x) => round(memory.last[x.key]))],
            ['slope (MB/min)', '', ...SERIES.map((x) => round(memory.slope[x.key], 2))],
          ],
        )
      : 'Too few samples after the warm-up to compare.',
    '',
    memory
      ? `Windows ${memory.span}. Verdict: memory ${flat ? '**flat**' : '**growing**'}: heap used after GC (the lowest sample of each window) ${round(memory.heapFloor.first)} → ${round(memory.heapFloor.last)} MB, ${round(memory.heapFloor.slope, 2)} MB/min (flat means ≤ 1 MB/min). For context, between the thirds' means: RSS ${round(memory.slope.rss, 2)} MB/min and heap used ${round(memory.slope.heapUsed, 2)} MB/min, which follow V8's collection sawtooth and reservations.`
      : '',
    '',
    ...SERIES.slice(0, 2).map((x, i, all) => `${x.label} every ${OPT.sampleMs / 1000} s (MB): ${samples.map((s) => round(s.mb[x.key], 0)).join(', ')}${i < all.length - 1 ? '  ' : ''}`),
  ];
  if (!passed && tally.failures.length) {
    lines.push('', 'First failures:', '', ...tally.failures.map((f) => `- ${f.what}: ${f.detail}`));
  }
  const section = lines.join('\n').replace(/\n{3,}/g, '\n\n');
  process.stdout.write(`${section}\n`);
  if (OPT.write) {
    writeSection(join(ROOT, 'BENCHMARKS.md'), '## Soak', section);
    log('BENCHMARKS.md: "## Soak" written');
  }
  return passed ? 0 : 1;
}

process.exitCode = await main();
