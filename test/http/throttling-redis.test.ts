import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { DependencyContainer } from 'tsyringe';
import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import { connectTestRedis, deleteKeysUnder, keysUnder, redisOrSkip, testRedisUrl, uniqueRedisPrefix } from '../support/redis.js';
import { expectProblem, expectTokenAnswer, login } from './helpers.js';

const WINDOW_SECONDS = 60;
const MAX_FAILURES = 3;
const IP_MAX_FAILURES = 8;
const ACCOUNT_MAX_FAILURES = 4;
const WRONG_PASSWORD = 'not the password';

/** 429 TOO_MANY_ATTEMPTS with a whole-second Retry-After no longer than the window. */
function expectThrottled(res: ApiResponse): number {
  expectProblem(res, 429, 'TOO_MANY_ATTEMPTS');
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter, 'Retry-After in whole seconds').to.match(/^[1-9]\d*$/);
  expect(Number(retryAfter)).to.be.at.most(WINDOW_SECONDS);
  return Number(retryAfter);
}

const containerRedis = (app: TestApp): Redis => {
  const redis = app.container.resolve<Redis | null>(TOKENS.Redis);
  if (!redis) throw new Error('REDIS_URL is set but the container built no Redis client');
  return redis;
};

/** Waits for the container's client: a login before it is ready is refused (fail closed), which is not what these tests are about. */
const ready = (redis: Redis): Promise<void> =>
  redis.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve, reject) => {
        redis.once('ready', () => resolve());
        redis.once('end', () => reject(new Error('the app could not connect to Redis')));
      });

describe(`login throttling shared by two instances through Redis (${testRedisUrl()})`, function () {
  const url = testRedisUrl();
  let probe: Redis | null = null;

  before(async function () {
    probe = await redisOrSkip(this, url);
  });
  after(async () => {
    await probe?.quit();
  });

  let prefix: string;
  let a: TestApp;
  let b: TestApp;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    prefix = uniqueRedisPrefix();
    // Two instances of the service: one database (shared stores), one Redis prefix.
    const users = new InMemoryUserRepository();
    const sessions = new InMemoryTokenStore();
    const shared = (c: DependencyContainer) => {
      c.register(TOKENS.UserRepository, { useValue: users });
      c.register(TOKENS.TokenStore, { useValue: sessions });
    };
    const env = {
      REDIS_URL: url,
      REDIS_KEY_PREFIX: prefix,
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
      LOGIN_IP_MAX_FAILURES: String(IP_MAX_FAILURES),
      LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX_FAILURES),
      // Only the account test sends X-Forwarded-For; without it the address is the socket's, as before.
      TRUST_PROXY: 'true',
    };
    a = await startTestApp({ env, override: shared });
    apps.push(a);
    b = await startTestApp({ env, override: shared });
    apps.push(b);
    await Promise.all([ready(containerRedis(a)), ready(containerRedis(b))]);
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) {
      await app.close();
      await containerRedis(app).quit();
    }
    if (probe) await deleteKeysUnder(probe, prefix);
  });

  it('counts failures on instance A against logins on instance B: the 4th answers 429 with Retry-After, even with the right password', async () => {
    const user = await register(b.url);
    for (let i = 1; i <= MAX_FAILURES; i++) {
      expectProblem(await login(a.url, user.email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    }

    expectThrottled(await login(b.url, user.email, GOOD_PASSWORD));
    expectThrottled(await login(a.url, user.email, GOOD_PASSWORD));
  });

  it('resets the pair for every instance when a login succeeds on one', async () => {
    const user = await register(a.url);
    for (let i = 1; i < MAX_FAILURES; i++) {
      expectProblem(await login(a.url, user.email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    }
    expectTokenAnswer(await login(b.url, user.email, GOOD_PASSWORD), 200);

    // Counted from zero again: two failures do not block, a third does.
    expectProblem(await login(a.url, user.email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login(b.url, user.email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    expectTokenAnswer(await login(a.url, user.email, GOOD_PASSWORD), 200);
    for (let i = 1; i <= MAX_FAILURES; i++) {
      expectProblem(await login(i % 2 ? a.url : b.url, user.email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    }
    expectThrottled(await login(a.url, user.email, GOOD_PASSWORD));
  });

  it('shares the per-IP ceiling: failures for many emails spread over both instances block every email', async () => {
    const user = await register(a.url);
    for (let i = 1; i < IP_MAX_FAILURES; i++) {
      expectProblem(await login(i % 2 ? a.url : b.url, uniqueEmail('spray'), WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');
    }
    expectTokenAnswer(await login(b.url, user.email, GOOD_PASSWORD), 200);

    expectProblem(await login(a.url, uniqueEmail('spray'), WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');

    expectThrottled(await login(b.url, user.email, GOOD_PASSWORD));
    expectThrottled(await login(a.url, uniqueEmail('fresh'), GOOD_PASSWORD));
  });

  it('shares the per-account bound: failures from many addresses on both instances lock the email on both, but not for the owner’s address', async () => {
    const home = { 'x-forwarded-for': '203.0.113.50' };
    const email = uniqueEmail('owner');
    expectTokenAnswer(await call(a.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: home }), 201);
    for (let i = 1; i <= ACCOUNT_MAX_FAILURES; i++) {
      const res = await login(i % 2 ? a.url : b.url, email, WRONG_PASSWORD, { 'x-forwarded-for': `198.51.100.${i}` });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    }

    for (const app of [a, b]) {
      const res = await login(app.url, email, GOOD_PASSWORD, { 'x-forwarded-for': '198.51.100.99' });
      expectProblem(res, 429, 'TOO_MANY_ATTEMPTS');
      expect(Number(res.headers.get('retry-after'))).to.be.within(1, 30 * 24 * 3600);
    }
    expectTokenAnswer(await login(b.url, email, GOOD_PASSWORD, home), 200);
    expectTokenAnswer(await login(a.url, email, GOOD_PASSWORD, { 'x-forwarded-for': '198.51.100.99' }), 200);
  });

  it('keeps the counters in the URL’s Redis database under REDIS_KEY_PREFIX, hashed, expiring within the window (the account’s within 30 days)', async () => {
    const client = probe;
    if (!client) throw new Error('the test Redis is not connected');
    const email = uniqueEmail('stored');
    expectProblem(await login(a.url, email, WRONG_PASSWORD), 401, 'INVALID_CREDENTIALS');

    const keys = await keysUnder(client, prefix);

    expect(keys.length, `keys under ${prefix}`).to.be.at.least(2);
    for (const key of keys) {
      for (const clear of [email, email.split('@')[0] ?? email, '127.0.0.1']) {
        expect(key.includes(clear), `${key} contains ${clear}`).to.equal(false);
      }
      const ttl = await client.pttl(key);
      expect(ttl, `${key} expires`).to.be.greaterThan(0);
      // The account's consecutive failures are kept 30 days after the last one (docs/security.md, Throttling).
      const lifetime = key.startsWith(`${prefix}login-account:`) ? 30 * 24 * 3600 : WINDOW_SECONDS;
      expect(ttl, `${key} lives no longer than what it counts`).to.be.at.most(lifetime * 1000);
    }

    // The /db index of REDIS_URL is honoured: nothing of this run in another database.
    const elsewhere = new URL(url);
    elsewhere.pathname = elsewhere.pathname === '/0' || elsewhere.pathname === '' || elsewhere.pathname === '/' ? '/1' : '/0';
    const other = await connectTestRedis(elsewhere.toString());
    if (other.redis === null) throw new Error(`cannot open ${elsewhere.toString()}: ${other.reason}`);
    try {
      expect(await keysUnder(other.redis, prefix)).to.deep.equal([]);
    } finally {
      await other.redis.quit();
    }
  });
});
