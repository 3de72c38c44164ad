import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase } from '../support/backends.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from '../support/databases.js';
import { GOOD_PASSWORD, register, uniqueEmail, type ApiResponse, type RequestOptions } from '../support/http.js';
import { connectTestRedis, deleteKeysUnder, testRedisUrl, uniqueRedisPrefix, warnRedisSkipped } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectProblem, expectTokenAnswer, NO_THROTTLE, type TokenAnswer } from './helpers.js';

/**
 * Fault tolerance: the app runs in-process against MariaDB / Redis through a TCP relay the test
 * takes away (refused connections, live ones cut) or freezes (silence, as in a partition), then
 * gives back on the same port. While a dependency is away every request that needs it answers a
 * clean 503 SERVICE_UNAVAILABLE within the budget; nothing fails open; the process never sees an
 * unhandled rejection; and the same app instance serves again once the dependency returns.
 */

/** How long a refused dependency may take to become a 503 (it is a local RST: milliseconds, really). */
const REFUSED_BUDGET_MS = 1500;
/** How long a silent dependency may take (bounded by the connect, acquire and command timeouts). */
const SILENT_BUDGET_MS = 4000;
/** A request still unanswered after this is a hang; it is aborted so the test reports it as such. */
const HANG_MS = 8000;
/** How long the app may take to notice the dependency is back. */
const RECOVERY_DEADLINE_MS = 15_000;

interface Timed extends ApiResponse {
  readonly ms: number;
}

/** One request, timed, aborted (and failed) if it hangs. */
async function timedCall(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Timed> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(baseUrl + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(HANG_MS) });
  } catch (err) {
    const ms = Math.round(performance.now() - started);
    throw new Error(`${method} ${path} got no answer after ${ms} ms (${(err as Error).name}): the app hangs`, { cause: err });
  }
  const text = await res.text();
  const ms = Math.round(performance.now() - started);
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text, ms };
}

/** What the outage requests are, given a user signed in before it. */
const outageRequests = (user: { email: string; accessToken: string; refreshToken: string }) =>
  [
    ['POST /auth/register', 'POST', '/auth/register', { json: { email: uniqueEmail('down'), password: GOOD_PASSWORD } }],
    ['POST /auth/login', 'POST', '/auth/login', { json: { email: user.email, password: GOOD_PASSWORD } }],
    ['GET /auth/me', 'GET', '/auth/me', { headers: { authorization: `Bearer ${user.accessToken}` } }],
    // 503, not 401: a 401 tells the client to sign in again, dropping a session that is still good.
    ['POST /auth/refresh', 'POST', '/auth/refresh', { json: { refreshToken: user.refreshToken } }],
    ['GET /readyz', 'GET', '/readyz', {}],
  ] as const satisfies ReadonlyArray<readonly [string, string, string, RequestOptions]>;

/** A clean 503: problem+json SERVICE_UNAVAILABLE, no driver code, address or stack, within the budget. */
function expectUnavailable(res: Timed, label: string, budgetMs: number): void {
  expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
  expect(res.text, `${label}: driver or network detail in the answer`).to.not.match(/ECONN|ETIMEDOUT|EPIPE|PROTOCOL_|KnexTimeout|ioredis|redis|127\.0\.0\.1/i);
  expect(res.ms, `${label} answered in ${res.ms} ms`).to.be.below(budgetMs);
}

/** Polls until `check` holds, or fails naming `what` after the deadline. */
async function eventually(what: string, check: () => Promise<boolean>, deadlineMs = RECOVERY_DEADLINE_MS): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return Math.round(performance.now() - started);
    if (performance.now() - started > deadlineMs) throw new Error(`${what}: not after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isReady = (app: TestApp) => async () => (await timedCall(app.url, 'GET', '/readyz')).status === 200;

/** Records what would crash a process without a test runner around it. */
function crashWatch() {
  const seen: string[] = [];
  const onRejection = (reason: unknown) => seen.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (err: Error) => seen.push(`uncaughtException: ${err.stack ?? String(err)}`);
  return {
    install() {
      process.on('unhandledRejection', onRejection);
      process.on('uncaughtException', onException);
    },
    uninstall() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
    expectNone() {
      expect(seen, 'unhandled rejections or exceptions').to.deep.equal([]);
    },
  };
}

/** FAULTS_LOG=error (or warn, …) shows what the app logs during the outages. */
const diagnostics = () => (process.env.FAULTS_LOG ? { logger: pino({ level: process.env.FAULTS_LOG }, pino.destination(2)) } : {});

/** The measured latencies of one outage, added to the test's title so every run reports them. */
function latencies(answers: ReadonlyArray<readonly [string, Timed]>): string {
  const span = (rows: ReadonlyArray<readonly [string, Timed]>) => {
    const ms = rows.map(([, res]) => res.ms);
    return `${Math.min(...ms)}–${Math.max(...ms)} ms`;
  };
  const single = answers.filter(([label]) => !label.startsWith('burst'));
  const burst = answers.filter(([label]) => label.startsWith('burst'));
  return `one at a time ${span(single)}, ${burst.length} at once ${span(burst)}`;
}

describe('faults: MySQL/MariaDB goes away and comes back', function () {
  this.timeout(90_000);
  const crashes = crashWatch();
  let database: TestDatabase | null = null;
  let proxy: TcpProxy;
  let app: TestApp;

  before(async function () {
    const base = mysqlUrl();
    if (!base) {
      warnMysqlSkipped();
      this.skip();
    }
    crashes.install();
    database = await mysqlTestDatabase();
    const relayed = await TcpProxy.inFrontOf(database.url, 3306);
    proxy = relayed.proxy;
    app = await startTestApp({ persistence: 'database', env: { DATABASE_URL: relayed.url, ...NO_THROTTLE }, ...diagnostics() });
  });

  after(async () => {
    crashes.uninstall();
    await proxy?.start();
    if (app) {
      await app.close();
      await appDatabase(app).destroy();
    }
    await proxy?.close();
    await database?.close();
  });

  afterEach(async () => {
    // Whatever a test left, the next one starts with the database reachable.
    await proxy.start();
    await eventually('ready after the test', isReady(app));
  });

  /** A user signed in before the outage, so the pool holds live connections that the outage cuts. */
  async function signedInUser() {
    const reg = await register(app.url);
    await Promise.all(Array.from({ length: 5 }, () => timedCall(app.url, 'GET', '/auth/me', { headers: { authorization: `Bearer ${reg.accessToken}` } })));
    return reg;
  }

  async function outage(user: Awaited<ReturnType<typeof signedInUser>>, budgetMs: number): Promise<Array<readonly [string, Timed]>> {
    const answers: Array<readonly [string, Timed]> = [];
    // Twice each: the first meets the pool's cut connections, the second a fresh connect.
    for (let round = 1; round <= 2; round++) {
      for (const [label, method, path, options] of outageRequests(user)) {
        const res = await timedCall(app.url, method, path, options);
        answers.push([`${label} #${round}`, res]);
        expectUnavailable(res, `${label} #${round}`, budgetMs);
      }
    }
    // Many at once: more than the pool holds, none waits out a timeout queued behind another.
    const burst = await Promise.all(Array.from({ length: 12 }, () => timedCall(app.url, 'POST', '/auth/login', { json: { email: user.email, password: GOOD_PASSWORD } })));
    burst.forEach((res, i) => {
      answers.push([`burst login ${i}`, res]);
      expectUnavailable(res, `burst login ${i}`, budgetMs);
    });
    const live = await timedCall(app.url, 'GET', '/healthz');
    expect(live.status, 'liveness needs no database').to.equal(200);
    return answers;
  }

  /** The same app instance, not restarted, serves every kind of request again. */
  async function expectServesAgain(user: Awaited<ReturnType<typeof signedInUser>>): Promise<number> {
    const waited = await eventually('/readyz answers 200 again', isReady(app));
    const fresh = expectTokenAnswer(await timedCall(app.url, 'POST', '/auth/register', { json: { email: uniqueEmail('back'), password: GOOD_PASSWORD } }), 201);
    const again = expectTokenAnswer(await timedCall(app.url, 'POST', '/auth/login', { json: { email: user.email, password: GOOD_PASSWORD } }), 200);
    expect(again.user.id).to.equal(user.user.id);
    const meAnswer = await timedCall(app.url, 'GET', '/auth/me', { headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(meAnswer.status, meAnswer.text).to.equal(200);
    expect((meAnswer.body as TokenAnswer['user']).id).to.equal(user.user.id);
    // The refresh token from before the outage was not consumed by the failed attempts.
    const rotated = expectTokenAnswer(await timedCall(app.url, 'POST', '/auth/refresh', { json: { refreshToken: user.refreshToken } }), 200);
    expect(rotated.user.id).to.equal(user.user.id);
    expectTokenAnswer(await timedCall(app.url, 'POST', '/auth/refresh', { json: { refreshToken: fresh.refreshToken } }), 200);
    return waited;
  }

  it(`answers register, login, me, refresh and /readyz with a clean 503 in under ${REFUSED_BUDGET_MS} ms while the database refuses connections, and serves again when it returns`, async function () {
    const user = await signedInUser();
    await proxy.stop();

    const answers = await outage(user, REFUSED_BUDGET_MS);

    await proxy.start();
    const waited = await expectServesAgain(user);
    crashes.expectNone();
    this.test!.title += ` [measured 503s: ${latencies(answers)}; ready again ${waited} ms after the return]`;
  });

  it(`answers with a clean 503 in under ${SILENT_BUDGET_MS} ms while the database is silent (a partition), and serves again when it answers`, async function () {
    const user = await signedInUser();
    await proxy.freeze();

    const answers = await outage(user, SILENT_BUDGET_MS);

    await proxy.start();
    const waited = await expectServesAgain(user);
    crashes.expectNone();
    this.test!.title += ` [measured 503s: ${latencies(answers)}; ready again ${waited} ms after the return]`;
  });

  it('survives repeated outages in a row without leaking pooled connections or crashing', async function () {
    const user = await signedInUser();
    for (let i = 0; i < 3; i++) {
      await proxy.stop();
      expectUnavailable(await timedCall(app.url, 'GET', '/auth/me', { headers: { authorization: `Bearer ${user.accessToken}` } }), `outage ${i}`, REFUSED_BUDGET_MS);
      await proxy.start();
      await eventually(`ready after outage ${i}`, isReady(app));
      const meAnswer = await timedCall(app.url, 'GET', '/auth/me', { headers: { authorization: `Bearer ${user.accessToken}` } });
      expect(meAnswer.status, meAnswer.text).to.equal(200);
    }
    // Nothing is left checked out or waiting, and every connection the relay still carries is one
    // the pool holds (two sockets each): the cut connections were discarded, none was leaked.
    const pool = appDatabase(app).client.pool as { numUsed(): number; numFree(): number; numPendingAcquires(): number; numPendingCreates(): number };
    expect({ used: pool.numUsed(), acquiring: pool.numPendingAcquires(), creating: pool.numPendingCreates() }).to.deep.equal({ used: 0, acquiring: 0, creating: 0 });
    await eventually('the relay carries only the pooled connections', async () => proxy.connections === 2 * pool.numFree(), 5000);
    expect(pool.numFree(), 'pooled connections').to.be.within(1, 10);
    crashes.expectNone();
  });
});

describe('faults: Redis (REDIS_URL set) goes away and comes back', function () {
  this.timeout(90_000);
  const MAX_FAILURES = 3;
  const crashes = crashWatch();
  let probe: Redis | null = null;
  let proxy: TcpProxy;
  let app: TestApp;
  let prefix: string;

  const appRedis = (): Redis => {
    const redis = app.container.resolve<Redis | null>(TOKENS.Redis);
    if (!redis) throw new Error('REDIS_URL is set but the container built no Redis client');
    return redis;
  };

  before(async function () {
    const url = testRedisUrl();
    const connected = await connectTestRedis(url);
    if (connected.redis === null) {
      warnRedisSkipped(url, connected.reason);
      this.skip();
    }
    probe = connected.redis;
    crashes.install();
    const relayed = await TcpProxy.inFrontOf(url, 6379);
    proxy = relayed.proxy;
    prefix = uniqueRedisPrefix();
    // The app's own stores (not the in-memory overrides), so refresh-token state lives wherever
    // the container puts it when REDIS_URL is set; users on an in-memory SQLite database.
    app = await startTestApp({
      persistence: 'database',
      env: {
        DATABASE_URL: 'sqlite::memory:',
        REDIS_URL: relayed.url,
        REDIS_KEY_PREFIX: prefix,
        CACHE_TTL_MS: '0',
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_WINDOW_SECONDS: '300',
      },
    });
    await migrateToLatest(appDatabase(app));
    await eventually('the app connects to Redis', isReady(app));
  });

  after(async () => {
    crashes.uninstall();
    if (app) {
      await app.close();
      appRedis().disconnect();
      await appDatabase(app).destroy();
    }
    await proxy?.close();
    if (probe) {
      await deleteKeysUnder(probe, prefix);
      await probe.quit();
    }
  });

  afterEach(async () => {
    await proxy.start();
    await eventually('ready after the test', isReady(app));
  });

  const login = (email: string, password = GOOD_PASSWORD) => timedCall(app.url, 'POST', '/auth/login', { json: { email, password } });
  const refresh = (refreshToken: string) => timedCall(app.url, 'POST', '/auth/refresh', { json: { refreshToken } });

  /** A signed-in user, and a second one whose (email, IP) pair is throttled before the outage. */
  async function usersBeforeOutage() {
    const user = await register(app.url);
    expectTokenAnswer(await login(user.email), 200);
    const throttled = await register(app.url);
    for (let i = 0; i < MAX_FAILURES; i++) expectProblem(await login(throttled.email, 'not the password'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login(throttled.email), 429, 'TOO_MANY_ATTEMPTS');
    return { user, throttled };
  }

  async function outage(users: Awaited<ReturnType<typeof usersBeforeOutage>>, budgetMs: number) {
    const answers: Array<readonly [string, Timed]> = [];
    const check = (label: string, res: Timed) => {
      answers.push([label, res]);
      expect(res.status, `${label} failed open`).to.not.equal(200);
      expectUnavailable(res, label, budgetMs);
    };
    for (let round = 1; round <= 2; round++) {
      check(`login, right password #${round}`, await login(users.user.email));
      check(`login, wrong password (must not go uncounted) #${round}`, await login(users.user.email, 'not the password'));
      check(`login of a throttled pair, right password #${round}`, await login(users.throttled.email));
      // Refresh-token state lives in Redis when REDIS_URL is set: without it no refresh can be judged,
      // so 503 (retry later). A 401 would tell the client to drop a session that is still good.
      check(`refresh #${round}`, await refresh(users.user.refreshToken));
      check(`me #${round}`, await timedCall(app.url, 'GET', '/auth/me', { headers: { authorization: `Bearer ${users.user.accessToken}` } }));
      check(`/readyz #${round}`, await timedCall(app.url, 'GET', '/readyz'));
    }
    const burst = await Promise.all(Array.from({ length: 10 }, () => login(users.user.email)));
    burst.forEach((res, i) => check(`burst login ${i}`, res));
    expect((await timedCall(app.url, 'GET', '/healthz')).status, 'liveness needs no Redis').to.equal(200);
    return answers;
  }

  async function expectServesAgain(users: Awaited<ReturnType<typeof usersBeforeOutage>>): Promise<number> {
    const waited = await eventually('/readyz answers 200 again', isReady(app));
    expect(appRedis().status).to.equal('ready');
    expectTokenAnswer(await login(users.user.email), 200);
    // The counters survived the outage: the pair throttled before it is still throttled, not reset.
    expectProblem(await login(users.throttled.email), 429, 'TOO_MANY_ATTEMPTS');
    // The refresh token from before the outage still rotates (the failed attempts consumed nothing).
    const rotated = expectTokenAnswer(await refresh(users.user.refreshToken), 200);
    expectTokenAnswer(await refresh(rotated.refreshToken), 200);
    return waited;
  }

  it(`refuses login and refresh with a clean 503 in under ${REFUSED_BUDGET_MS} ms while Redis refuses connections (never a 200, a 401 or a skipped throttle), and serves again when it returns`, async function () {
    const users = await usersBeforeOutage();
    await proxy.stop();

    const answers = await outage(users, REFUSED_BUDGET_MS);

    await proxy.start();
    const waited = await expectServesAgain(users);
    crashes.expectNone();
    this.test!.title += ` [measured 503s: ${latencies(answers)}; ready again ${waited} ms after the return]`;
  });

  it(`refuses login and refresh with a clean 503 in under ${SILENT_BUDGET_MS} ms while Redis is silent (a partition), and serves again when it answers`, async function () {
    const users = await usersBeforeOutage();
    await proxy.freeze();

    const answers = await outage(users, SILENT_BUDGET_MS);

    await proxy.start();
    const waited = await expectServesAgain(users);
    crashes.expectNone();
    this.test!.title += ` [measured 503s: ${latencies(answers)}; ready again ${waited} ms after the return]`;
  });
});
