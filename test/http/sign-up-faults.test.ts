import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { instancePerContainerCachingFactory } from 'tsyringe';
import { BcryptPasswordHasher } from '../../src/adapters/crypto/bcrypt-password-hasher.js';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { RedisTokenStore } from '../../src/adapters/persistence/redis/redis-token-store.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { PasswordHasher } from '../../src/domain/ports/password-hasher.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import type { Session } from '../../src/domain/session.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase } from '../support/backends.js';
import { mysqlTestDatabase, mysqlUrl, warnMysqlSkipped, type TestDatabase } from '../support/databases.js';
import { call, GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import { connectTestRedis, deleteKeysUnder, testRedisUrl, uniqueRedisPrefix, warnRedisSkipped } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectProblem, expectTokenAnswer, login, me } from './helpers.js';

/**
 * A registration that fails leaves nothing half-done (docs/http-api.md, Decisions). Users live in MariaDB,
 * sessions and rate limits in Redis behind a TCP relay the test takes away at a chosen moment of
 * the request: while bcrypt runs (the account is then created, but its address cannot be
 * remembered) or just as the first session is stored. The answer is 503, no account row stays
 * behind, and the client's retry once Redis is back answers 201 and signs in.
 */

const REFRESH_TOKEN_TTL = 2_592_000;

type Moment = 'during bcrypt' | 'as the session is stored';

describe('faults: a registration whose session cannot be stored (MariaDB + Redis)', function () {
  this.timeout(60_000);
  let database: TestDatabase | null = null;
  let probe: Redis | null = null;
  let proxy: TcpProxy;
  let app: TestApp;
  let prefix: string;
  /** Where the next registration meets the outage; cleared once it has. */
  let outageAt: Moment | null = null;

  const takeRedisAway = async (moment: Moment) => {
    if (outageAt !== moment) return;
    outageAt = null;
    await proxy.stop();
  };

  /** bcrypt at cost 4, taking Redis away while it hashes when the test says so. */
  class HasherWithOutage implements PasswordHasher {
    private readonly inner = new BcryptPasswordHasher(4);
    async hash(password: string): Promise<string> {
      await takeRedisAway('during bcrypt');
      return this.inner.hash(password);
    }
    verify(password: string, hash: string | null): Promise<boolean> {
      return this.inner.verify(password, hash);
    }
  }

  /** The app's own Redis session store, taking Redis away just before a session is stored when the test says so. */
  const withOutage = (store: TokenStore): TokenStore => ({
    create: async (session: Session, maxLive?: number) => {
      await takeRedisAway('as the session is stored');
      return store.create(session, maxLive);
    },
    find: (id) => store.find(id),
    rotate: (id, from, to, at) => store.rotate(id, from, to, at),
    end: (id, at) => store.end(id, at),
    endAllForUser: (userId, at, exceptId) => store.endAllForUser(userId, at, exceptId),
    listLive: (userId, now) => store.listLive(userId, now),
    prune: (cutoff, limit) => store.prune(cutoff, limit),
  });

  const appRedis = (): Redis => {
    const redis = app.container.resolve<Redis | null>(TOKENS.Redis);
    if (!redis) throw new Error('REDIS_URL is set but the container built no Redis client');
    return redis;
  };

  const isReady = async () => (await call(app.url, 'GET', '/readyz')).status === 200;
  async function eventuallyReady(): Promise<void> {
    const started = performance.now();
    while (!(await isReady())) {
      if (performance.now() - started > 15_000) throw new Error('the app did not become ready within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async function () {
    if (!mysqlUrl()) {
      warnMysqlSkipped();
      this.skip();
    }
    const url = testRedisUrl();
    const connected = await connectTestRedis(url);
    if (connected.redis === null) {
      warnRedisSkipped(url, connected.reason);
      this.skip();
    }
    probe = connected.redis;
    database = await mysqlTestDatabase();
    const relayed = await TcpProxy.inFrontOf(url, 6379);
    proxy = relayed.proxy;
    prefix = uniqueRedisPrefix();
    app = await startTestApp({
      persistence: 'database',
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: relayed.url,
        REDIS_KEY_PREFIX: prefix,
        REFRESH_TOKEN_TTL: String(REFRESH_TOKEN_TTL),
        CACHE_TTL_MS: '0',
      },
      override: (c) => {
        c.register(TOKENS.PasswordHasher, { useValue: new HasherWithOutage() });
        c.register(TOKENS.TokenStore, {
          useFactory: instancePerContainerCachingFactory((x) =>
            withOutage(new RedisTokenStore(x.resolve<Redis>(TOKENS.Redis), { prefix, idleTtlSeconds: REFRESH_TOKEN_TTL })),
          ),
        });
      },
    });
    await migrateToLatest(appDatabase(app));
    await eventuallyReady();
  });

  after(async () => {
    await proxy?.start();
    if (app) {
      await app.close();
      appRedis().disconnect();
      await appDatabase(app).destroy();
    }
    await proxy?.close();
    await database?.close();
    if (probe) {
      await deleteKeysUnder(probe, prefix);
      await probe.quit();
    }
  });

  afterEach(async () => {
    outageAt = null;
    await proxy.start();
    await eventuallyReady();
  });

  const rowsFor = async (email: string): Promise<Array<{ id: string }>> => {
    if (!database) throw new Error('no database');
    return database.db('users').where({ email }).select('id');
  };

  for (const moment of ['during bcrypt', 'as the session is stored'] as const) {
    it(`answers 503 when Redis goes away ${moment}, keeps no account row, and the retry once Redis is back answers 201 and signs in`, async () => {
      const email = uniqueEmail('retry');
      const registration = { json: { email, password: GOOD_PASSWORD } };
      outageAt = moment;

      const failed = await call(app.url, 'POST', '/auth/register', registration);

      expectProblem(failed, 503, 'SERVICE_UNAVAILABLE');
      expect(outageAt, 'the outage was met where the test put it').to.equal(null);
      expect(await rowsFor(email), 'account rows after the 503').to.deep.equal([]);

      await proxy.start();
      await eventuallyReady();
      const retried = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', registration), 201);

      expect(retried.user.email).to.equal(email);
      expect((await me(app.url, retried.accessToken)).status, 'signed in').to.equal(200);
      expect(await rowsFor(email), 'one row, the retry’s').to.deep.equal([{ id: retried.user.id }]);
      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD), 200);
    });
  }
});
