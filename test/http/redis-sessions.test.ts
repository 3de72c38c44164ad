import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { TOKENS } from '../../src/composition/tokens.js';
import type { TestApp } from '../support/app.js';
import { appDatabase, REDIS_BACKEND } from '../support/backends.js';
import { call, register, uniqueEmail } from '../support/http.js';
import { connectTestRedis } from '../support/redis.js';
import { decodeJwt, expectInvalidToken, me, refresh } from './helpers.js';

/** With REDIS_URL set, the refresh-token state lives in Redis, not in the database (docs/configuration.md). */
describe('sessions in Redis when REDIS_URL is set', function () {
  this.timeout(20_000);
  let app: TestApp;
  let stop: (() => Promise<void>) | undefined;

  before(async function () {
    if (!(await REDIS_BACKEND.available())) this.skip();
    ({ app, stop } = await REDIS_BACKEND.start({ env: { REFRESH_TOKEN_TTL: '3600' } }));
  });
  after(async () => {
    if (stop) await stop();
  });

  const redis = () => {
    const client = app.container.resolve<Redis | null>(TOKENS.Redis);
    if (!client) throw new Error('REDIS_URL is set but the container has no Redis client');
    return client;
  };
  const sessionKey = (sid: string) => `${app.config.redisKeyPrefix}session:${sid}`;

  it('keeps the session in Redis, expiring with its refresh token, and writes no session row', async () => {
    const answer = await register(app.url, uniqueEmail('redis'));
    const { sid } = decodeJwt(answer.accessToken).payload;

    const hash = await redis().hgetall(sessionKey(sid));
    expect(hash.u).to.equal(answer.user.id);
    expect(Object.values(hash)).to.not.include(answer.refreshToken);
    expect(await redis().pttl(sessionKey(sid))).to.be.within(3_590_000, 3_600_000);
    expect(await appDatabase(app)('sessions').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
  });

  it("honours the URL's /db index: the session is in that database and in no other", async () => {
    const answer = await register(app.url, uniqueEmail('redis-db'));
    const key = sessionKey(decodeJwt(answer.accessToken).payload.sid);
    const url = new URL(app.config.redisUrl ?? '');
    const index = Number(url.pathname.slice(1) || '0');
    const other = new URL(url);
    other.pathname = `/${(index + 1) % 16}`;
    const [same, elsewhere] = await Promise.all([connectTestRedis(url.toString()), connectTestRedis(other.toString())]);
    try {
      if (same.redis === null || elsewhere.redis === null) throw new Error('the test Redis is not reachable');
      expect(await same.redis.exists(key), `db ${index}`).to.equal(1);
      expect(await elsewhere.redis.exists(key), `db ${(index + 1) % 16}`).to.equal(0);
    } finally {
      same.redis?.disconnect();
      elsewhere.redis?.disconnect();
    }
  });

  it('ends the session in Redis on logout: its refresh and access tokens fail at once', async () => {
    const answer = await register(app.url, uniqueEmail('redis-end'));
    const { sid } = decodeJwt(answer.accessToken).payload;

    expect((await call(app.url, 'POST', '/auth/logout', { json: { refreshToken: answer.refreshToken } })).status).to.equal(204);

    expect(await redis().hget(sessionKey(sid), 'e')).to.match(/^\d+$/);
    expectInvalidToken(await refresh(app.url, answer.refreshToken));
    expectInvalidToken(await me(app.url, answer.accessToken));
  });
});
