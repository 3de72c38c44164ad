import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { loadConfig } from '../../src/config/env.js';
import { mysqlUrl, warnMysqlSkipped } from '../support/databases.js';
import { aGithubAccount, githubEnv, GithubStandIn, WEB_APP_URL } from '../support/github-stand-in.js';
import { bearer, call, freePort, GOOD_PASSWORD, register, request, uniqueEmail, type ApiResponse } from '../support/http.js';
import { deleteKeysUnder, redisOrSkip, testRedisUrl, uniqueRedisPrefix } from '../support/redis.js';
import { decodeJwt, expectInvalidToken, expectProblem, expectTokenAnswer, expectUser, login, me, refresh, type TokenAnswer } from './helpers.js';
import { COOKIE_NAMES, expectCookieModeAnswer, expectSessionCookies, expiryOf, setCookiesOf } from './web-client.js';

/**
 * Two processes of the service, as `npm start` runs it (src/main.ts), on different ports over ONE
 * MySQL database and ONE Redis: what a deployment with two replicas behind a load balancer sees.
 * Everything here goes over HTTP, so it holds whichever store keeps refresh-token state.
 */

const WINDOW_SECONDS = 60;
const MAX_FAILURES = 3;
const WRONG_PASSWORD = 'not the password at all';

/** The variables the service reads (src/config/): none may leak in from the shell running the tests. */
const SERVICE_VARIABLE =
  /^(NODE_ENV|PORT|HOST|PUBLIC_URL|TRUST_PROXY|DATABASE_|MIGRATE_ON_START|REDIS_|JWT_|ACCESS_TOKEN_TTL|REFRESH_|SESSION_|BCRYPT_COST|LOGIN_|CORS_ORIGINS|WEB_APP_URL|GITHUB_|CACHE_TTL_MS|USER_CACHE_TTL_MS|SHUTDOWN_DRAIN_MS|LOG_LEVEL)/;

const serviceEnv = (settings: Record<string, string>): Record<string, string> => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !SERVICE_VARIABLE.test(k))) as Record<string, string>),
  ...settings,
});

// -----------------------------------------------------------------------------------------------
// A MySQL database of this run alone, created empty (the instances migrate it themselves)

interface EmptyDatabase {
  readonly url: string;
  /** A connection to it, for the test's own looks at the schema. */
  readonly db: Knex;
  /** How many connections other than the test's own are open on it (the instances'). */
  othersConnected(): Promise<number>;
  drop(): Promise<void>;
}

async function emptyMysqlDatabase(base: string): Promise<EmptyDatabase> {
  const server = new URL(base);
  const connection = {
    host: server.hostname,
    port: server.port ? Number(server.port) : 3306,
    user: decodeURIComponent(server.username),
    password: decodeURIComponent(server.password),
  };
  const admin = knex({ client: 'mysql2', connection, pool: { min: 0, max: 1 } });
  const name = `auth_test_${randomBytes(6).toString('hex')}`;
  await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
  const url = new URL(base);
  url.pathname = `/${name}`;
  // One connection: whatever else is connected to this database is an instance of the service.
  const db = knex({ client: 'mysql2', connection: { ...connection, database: name }, pool: { min: 0, max: 1 } });
  return {
    url: url.toString(),
    db,
    othersConnected: async () => {
      const [rows] = (await db.raw('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()')) as [Array<{ n: number | string }>];
      return Number(rows[0]?.n ?? 0);
    },
    drop: async () => {
      await db.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
      await admin.destroy();
    },
  };
}

// -----------------------------------------------------------------------------------------------
// One instance of the service, in its own process

interface Instance {
  readonly name: string;
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  readonly child: ChildProcess;
  /** What the process wrote on stderr so far. */
  stderr(): string;
  /** Resolves once /readyz answers 200; rejects (with the process's stderr) when it exits first or never gets there. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

function spawnInstance(name: string, port: number, settings: Record<string, string>): Instance {
  const url = `http://127.0.0.1:${port}`;
  const env = serviceEnv({ ...settings, PORT: String(port), HOST: '127.0.0.1' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const ready = async (timeoutMs = 40_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (hasExited) throw new Error(`instance ${name} exited with code ${child.exitCode} before it was ready:\n${stderr}`);
      try {
        if ((await fetch(`${url}/readyz`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`instance ${name} was not ready within ${timeoutMs} ms:\n${stderr}`);
  };

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };

  return { name, url, env, child, stderr: () => stderr, ready, exited, stop };
}

/** Two distinct loopback ports that are free right now. */
async function twoPorts(): Promise<[number, number]> {
  const a = await freePort();
  let b = await freePort();
  while (b === a) b = await freePort();
  return [a, b];
}

// -----------------------------------------------------------------------------------------------
// A browser's cookies, carried by hand: by name and path; the host is 127.0.0.1 for both instances
// and cookies do not tell ports apart (RFC 6265 §8.5), so what A sets, B is sent.

interface HeldCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

const pathMatches = (requestPath: string, cookiePath: string): boolean =>
  requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/'));

class Browser {
  private cookies: HeldCookie[] = [];

  async request(method: string, url: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const target = new URL(url);
    const cookie = this.cookies
      .filter((c) => pathMatches(target.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await request(target, method, { headers: { ...headers, ...(cookie === '' ? {} : { cookie }) } });
    for (const c of setCookiesOf(res)) {
      const declared = c.attributes.get('path');
      const path = typeof declared === 'string' ? declared : '/';
      this.cookies = this.cookies.filter((k) => !(k.name === c.name && k.path === path));
      const expiry = expiryOf(c);
      if (c.value !== '' && (expiry === null || expiry > Date.now())) this.cookies.push({ name: c.name, value: c.value, path });
    }
    return res;
  }

  get(url: string): Promise<ApiResponse> {
    return this.request('GET', url);
  }

  cookie(name: string): string | undefined {
    return this.cookies.find((c) => c.name === name)?.value;
  }
}

// -----------------------------------------------------------------------------------------------

describe('two instances over one MySQL database and one Redis (multi-instance)', function () {
  this.timeout(90_000);
  let base: string;

  before(function () {
    const url = mysqlUrl();
    if (!url) {
      warnMysqlSkipped();
      this.skip();
    }
    base = url;
  });

  describe('the scenario of a deployment with two replicas', function () {
    const redisUrl = testRedisUrl();
    const prefix = uniqueRedisPrefix();
    const secrets = { JWT_ACCESS_SECRET: randomBytes(32).toString('base64url'), JWT_REFRESH_SECRET: randomBytes(32).toString('base64url') };
    let probe: Redis | null = null;
    let database: EmptyDatabase | null = null;
    let standIn: GithubStandIn | null = null;
    let a: Instance;
    let b: Instance;
    const instances: Instance[] = [];

    const theStandIn = (): GithubStandIn => {
      if (!standIn) throw new Error('the GitHub stand-in did not start');
      return standIn;
    };

    before(async function () {
      probe = await redisOrSkip(this, redisUrl);
      database = await emptyMysqlDatabase(base);
      standIn = await GithubStandIn.start();
      const [portA, portB] = await twoPorts();
      // Both instances get one configuration, as replicas do. The URL clients know the service by
      // (PUBLIC_URL, and so GITHUB_CALLBACK_URL) is a load balancer's in production; here it names
      // B, so GitHub sends the browser back to B whichever instance started the flow.
      const shared = {
        NODE_ENV: 'production',
        ...secrets,
        BCRYPT_COST: '4',
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        MIGRATE_ON_START: 'true',
        LOG_LEVEL: 'warn',
        // No retry grace: a replaced refresh token presented again is reuse at once, deterministically.
        REFRESH_REUSE_GRACE_SECONDS: '0',
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
        ...githubEnv(standIn, `http://127.0.0.1:${portB}`),
        // CACHE_TTL_MS is deliberately left unset: the default is what is under test.
      };
      // A first, alone: it migrates the empty database; B then finds nothing pending. (An instance
      // meeting another one's migration lock is the last suite below.)
      a = spawnInstance('A', portA, shared);
      instances.push(a);
      await a.ready();
      b = spawnInstance('B', portB, shared);
      instances.push(b);
      await b.ready();
    });

    after(async () => {
      await Promise.all(instances.map((i) => i.stop()));
      await standIn?.close();
      await database?.drop();
      if (probe) {
        await deleteKeysUnder(probe, prefix);
        await probe.quit();
      }
    });

    it('starts both with MIGRATE_ON_START: A migrates the empty database once, B finds nothing left to apply', async () => {
      const db = (database as EmptyDatabase).db;
      const applied = (await db('knex_migrations').select('name', 'batch').orderBy('id')) as Array<{ name: string; batch: number }>;
      expect(applied.length, 'migrations applied').to.be.greaterThan(0);
      expect(new Set(applied.map((m) => m.name)).size, 'each migration applied once').to.equal(applied.length);
      expect([...new Set(applied.map((m) => m.batch))], 'all in one batch (A\'s)').to.deep.equal([1]);
      const [lock] = (await db('knex_migrations_lock').select('is_locked')) as Array<{ is_locked: number }>;
      expect(lock?.is_locked, 'the migration lock is free again').to.equal(0);
      for (const instance of [a, b]) expect((await call(instance.url, 'GET', '/readyz')).status, `${instance.name} /readyz`).to.equal(200);
    });

    it('leaves CACHE_TTL_MS at its default, which is 0 (sessions never served from memory) on MySQL, and caches users with invalidation through Redis', () => {
      for (const instance of [a, b]) {
        expect(instance.env.CACHE_TTL_MS, `${instance.name} is started without CACHE_TTL_MS`).to.equal(undefined);
        expect(loadConfig(instance.env).config.cacheTtlMs, `${instance.name}'s CACHE_TTL_MS`).to.equal(0);
        expect(loadConfig(instance.env).config.userCache, `${instance.name}'s user cache`).to.deep.equal({ ttlMs: 30_000, shared: true });
      }
    });

    describe('Bearer sessions', () => {
      const email = uniqueEmail('multi');
      let registered: Awaited<ReturnType<typeof register>>;
      let onB: TokenAnswer;
      let rotatedOnA: TokenAnswer;

      it('registers a user on A who then signs in on B, and each instance accepts the other\'s access token', async () => {
        registered = await register(a.url, email);
        onB = expectTokenAnswer(await login(b.url, email), 200);
        expect(onB.user.id).to.equal(registered.user.id);
        const seenByA = await me(a.url, onB.accessToken);
        expect(seenByA.status, seenByA.text).to.equal(200);
        expect((seenByA.body as TokenAnswer['user']).id).to.equal(registered.user.id);
        const seenByB = await me(b.url, registered.accessToken);
        expect(seenByB.status, seenByB.text).to.equal(200);
        expect((seenByB.body as TokenAnswer['user']).email).to.equal(email);
      });

      it('refreshes on A with the refresh token B issued: a rotation of the same session', async () => {
        rotatedOnA = expectTokenAnswer(await refresh(a.url, onB.refreshToken), 200);
        expect(rotatedOnA.refreshToken).to.not.equal(onB.refreshToken);
        expect(decodeJwt(rotatedOnA.refreshToken).payload.jti).to.not.equal(decodeJwt(onB.refreshToken).payload.jti);
        expect(decodeJwt(rotatedOnA.accessToken).payload.sid, 'the session keeps its id').to.equal(decodeJwt(onB.accessToken).payload.sid);
        expect((await me(b.url, rotatedOnA.accessToken)).status, 'A\'s new access token on B').to.equal(200);
      });

      it('refuses the replaced token presented again on B (401) and revokes the family on both instances', async () => {
        expectInvalidToken(await refresh(b.url, onB.refreshToken));
        // The newest token of the family, which nobody presented yet, is dead on both.
        expectInvalidToken(await refresh(a.url, rotatedOnA.refreshToken));
        expectInvalidToken(await refresh(b.url, rotatedOnA.refreshToken));
        // The family is the session: its access tokens end with it.
        expectInvalidToken(await me(a.url, rotatedOnA.accessToken));
        expectInvalidToken(await me(b.url, rotatedOnA.accessToken));
        // The user's other session (from the registration on A) is not part of that family.
        expect((await me(b.url, registered.accessToken)).status, 'another session of the user').to.equal(200);
      });

      it('ends, on logout-all at A, the access token B issued, at once', async () => {
        const issuedOnB = expectTokenAnswer(await login(b.url, email), 200);
        expect((await me(b.url, issuedOnB.accessToken)).status, 'B accepts it before').to.equal(200);
        const issuedOnA = expectTokenAnswer(await login(a.url, email), 200);

        const res = await call(a.url, 'POST', '/auth/logout-all', { headers: bearer(issuedOnA.accessToken) });
        expect(res.status, res.text).to.equal(204);

        expectInvalidToken(await me(b.url, issuedOnB.accessToken));
        expectInvalidToken(await refresh(b.url, issuedOnB.refreshToken));
        expectInvalidToken(await me(a.url, issuedOnA.accessToken));
        expectInvalidToken(await me(b.url, registered.accessToken));
        // A sign-in right afterwards (the same second) is a new session and works on both.
        const after = expectTokenAnswer(await login(b.url, email), 200);
        expect((await me(a.url, after.accessToken)).status, 'a new sign-in on B, checked on A').to.equal(200);
      });

      it('refuses on A, immediately, a session ended on B (no instance serves it from memory)', async () => {
        const onA = expectTokenAnswer(await login(a.url, email), 200);
        // A has just accepted this session: a per-instance cache would now hold it.
        expect((await me(a.url, onA.accessToken)).status, 'A accepts it before').to.equal(200);
        const other = expectTokenAnswer(await login(b.url, email), 200);

        const sid = decodeJwt(onA.accessToken).payload.sid;
        const ended = await call(b.url, 'DELETE', `/auth/sessions/${encodeURIComponent(sid)}`, { headers: bearer(other.accessToken) });
        expect(ended.status, ended.text).to.equal(204);

        expectInvalidToken(await me(a.url, onA.accessToken));
        expectInvalidToken(await refresh(a.url, onA.refreshToken));
        expect((await me(a.url, other.accessToken)).status, 'the session that ended it lives on').to.equal(200);
      });
    });

    describe('roles and disabling (each instance caches users; a change on one is heard by the other before its next request)', () => {
      it('refuses on B, at once, the tokens of a user an admin disabled on A, and B sees a revoked role at once', async () => {
        const adminEmail = uniqueEmail('multi-admin');
        const admin = await register(a.url, adminEmail);
        // The bootstrap `npm run admin -- grant` does, straight in the shared database.
        await database!.db('users').where({ id: admin.user.id }).update({ roles: 'admin' });
        const adminOnA = expectTokenAnswer(await login(a.url, adminEmail), 200);
        const adminOnB = expectTokenAnswer(await login(b.url, adminEmail), 200);
        const victim = await register(b.url, uniqueEmail('multi-disabled'));
        expect((await me(b.url, victim.accessToken)).status, 'B accepts it before').to.equal(200);

        const disabled = await call(a.url, 'PATCH', `/admin/users/${victim.user.id}`, { headers: bearer(adminOnA.accessToken), json: { disabled: true } });
        expect(disabled.status, disabled.text).to.equal(200);

        expectInvalidToken(await me(b.url, victim.accessToken));
        expectInvalidToken(await refresh(b.url, victim.refreshToken));
        expectProblem(await login(b.url, victim.email, GOOD_PASSWORD), 403, 'ACCOUNT_DISABLED');

        expect((await call(b.url, 'GET', '/admin/users', { headers: bearer(adminOnB.accessToken) })).status).to.equal(200);
        const other = await register(a.url, uniqueEmail('multi-admin-2'));
        await database!.db('users').where({ id: other.user.id }).update({ roles: 'admin' });
        const demoted = await call(a.url, 'PATCH', `/admin/users/${admin.user.id}`, { headers: bearer(expectTokenAnswer(await login(a.url, other.email), 200).accessToken), json: { roles: [] } });
        expect(demoted.status, demoted.text).to.equal(200);
        expectProblem(await call(b.url, 'GET', '/admin/users', { headers: bearer(adminOnB.accessToken) }), 403, 'FORBIDDEN');
      });
    });

    describe('login throttling (counters in Redis)', () => {
      it('counts failed logins across both instances: 429 with Retry-After on either once the pair reaches LOGIN_MAX_FAILURES', async () => {
        const { email } = await register(a.url, uniqueEmail('throttled'));
        // Spread so that no single instance saw LOGIN_MAX_FAILURES failures: A two, B one.
        const spread = [a, b, a];
        expect(spread.length).to.equal(MAX_FAILURES);
        for (const instance of spread) expectProblem(await login(instance.url, email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');

        for (const instance of [b, a]) {
          const res = await login(instance.url, email, GOOD_PASSWORD);
          expectProblem(res, 429, 'TOO_MANY_ATTEMPTS');
          const retryAfter = res.headers.get('retry-after') ?? '';
          expect(retryAfter, `Retry-After from ${instance.name}, whole seconds`).to.match(/^[1-9]\d*$/);
          expect(Number(retryAfter)).to.be.at.most(WINDOW_SECONDS);
        }
        // Another email from the same client is not blocked by that pair.
        const { email: other } = await register(b.url, uniqueEmail('unthrottled'));
        expectTokenAnswer(await login(a.url, other), 200);
      });
    });

    describe('GitHub sign-in (state and PKCE verifier in a signed cookie)', () => {
      it('completes on B a GitHub sign-in started on A, and the cookie session it gives works on A', async () => {
        const github = theStandIn();
        const account = aGithubAccount();
        github.reset(account);
        const browser = new Browser();

        const started = await browser.get(`${a.url}/auth/github`);
        expect(started.status, `GET /auth/github on A (${started.text})`).to.equal(302);
        const authorize = new URL(started.headers.get('location') ?? '');
        expect(`${authorize.origin}${authorize.pathname}`).to.equal(github.authorizeUrl);
        expect(authorize.searchParams.get('redirect_uri')).to.equal(`${b.url}/auth/github/callback`);
        expect(browser.cookie('oauth_state'), 'A binds the flow to this browser').to.be.a('string');

        const consented = await browser.get(authorize.toString());
        expect(consented.status, consented.text).to.equal(302);
        const callbackUrl = new URL(consented.headers.get('location') ?? '');
        expect(callbackUrl.origin, 'GitHub returns the browser to B').to.equal(b.url);

        const callback = await browser.get(callbackUrl.toString());
        expect(callback.status, `the callback on B (${callback.text})`).to.equal(302);
        expect(callback.headers.get('location'), 'signed in: back to WEB_APP_URL without an error').to.equal(WEB_APP_URL);
        expectSessionCookies(callback);
        // B exchanged the code with the PKCE verifier A had put in the state cookie.
        const exchange = github.lastTokenRequest();
        expect(exchange.refusal, 'the stand-in issued a GitHub token').to.equal(null);
        expect(exchange.params.code_verifier, 'PKCE verifier').to.be.a('string');
        expect(browser.cookie('oauth_state'), 'the state cookie is consumed').to.equal(undefined);

        const seenByA = await browser.get(`${a.url}/auth/me`);
        expect(seenByA.status, `GET /auth/me on A by cookie (${seenByA.text})`).to.equal(200);
        expectUser(seenByA.body);
        expect((seenByA.body as TokenAnswer['user']).githubLogin).to.equal(account.login);
        expect((seenByA.body as TokenAnswer['user']).email).to.equal(account.emails[0]?.email);

        const csrf = browser.cookie('csrf_token') ?? '';
        const rotated = await browser.request('POST', `${a.url}/auth/refresh`, { 'x-csrf-token': csrf });
        expectCookieModeAnswer(rotated, 200);
        expectSessionCookies(rotated);
        for (const name of COOKIE_NAMES) expect(browser.cookie(name), `${name} after the refresh on A`).to.be.a('string');
        const seenByB = await browser.get(`${b.url}/auth/me`);
        expect(seenByB.status, `GET /auth/me on B with the cookies A rotated (${seenByB.text})`).to.equal(200);
        expect((seenByB.body as TokenAnswer['user']).id).to.equal((seenByA.body as TokenAnswer['user']).id);
      });
    });
  });

  describe('an instance starting while another one migrates the same database', function () {
    let database: EmptyDatabase | null = null;
    let instance: Instance | null = null;

    before(async () => {
      database = await emptyMysqlDatabase(base);
    });

    after(async () => {
      await instance?.stop();
      await database?.drop();
    });

    // Replicas of one deployment start together. On an empty (or outdated) database, one of them
    // takes knex's migration lock and the others find it taken; MySQL commits the lock at the
    // first CREATE TABLE, so they see it held, as here.
    it('waits for the migration lock instead of exiting, then starts once it is released', async () => {
      const db = (database as EmptyDatabase).db;
      // knex creates its two tables (the lock free), then the other instance takes the lock.
      const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
      expect(pending.length, 'migrations pending').to.be.greaterThan(0);
      await db('knex_migrations_lock').update({ is_locked: 1 });

      const port = await freePort();
      instance = spawnInstance('C', port, {
        NODE_ENV: 'production',
        JWT_ACCESS_SECRET: randomBytes(32).toString('base64url'),
        JWT_REFRESH_SECRET: randomBytes(32).toString('base64url'),
        BCRYPT_COST: '4',
        DATABASE_URL: database?.url ?? '',
        MIGRATE_ON_START: 'true',
        LOG_LEVEL: 'warn',
      });
      // Not a guess at how long the start takes: once the instance is connected (it then finds the
      // lock held), it has 3 s to give up; a waiting instance is still running after them.
      const started = instance;
      let settled = false;
      const stillRunning = await Promise.race([
        started.exited.then((code) => `exited with code ${code}: ${started.stderr().trim()}`),
        (async () => {
          const deadline = Date.now() + 40_000;
          while (!settled && (await (database as EmptyDatabase).othersConnected()) === 0) {
            if (Date.now() > deadline) return 'never connected to the database';
            await new Promise((r) => setTimeout(r, 50));
          }
          await new Promise((r) => setTimeout(r, 3_000));
          return 'running';
        })(),
      ]);
      settled = true;
      expect(stillRunning, 'while another instance holds the migration lock').to.equal('running');

      await db('knex_migrations_lock').update({ is_locked: 0 });
      await instance.ready();
      const applied = (await db('knex_migrations').count({ n: '*' }).first()) as { n: number | string } | undefined;
      expect(Number(applied?.n ?? 0), 'the waiting instance applied the migrations').to.be.greaterThan(0);
    });
  });
});
