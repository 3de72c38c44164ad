import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ReadThroughCache } from '../../src/adapters/persistence/cache/read-through-cache.js';
import { connectRedis } from '../../src/adapters/persistence/redis/redis-client.js';
import { RedisSharedInvalidation } from '../../src/adapters/persistence/redis/redis-shared-invalidation.js';
import { capturingLogger } from '../support/log-capture.js';
import { redisOrSkip, testRedisUrl, uniqueRedisPrefix } from '../support/redis.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Two instances' user caches over one real Redis, each with its own connection (as two processes
 * have): what one writes, the other forgets before it serves again. The multi-instance HTTP test
 * proves the same through two processes of the service.
 */

interface Record {
  readonly v: number;
}
const clone = (r: Record): Record => ({ ...r });

/** Waits (without asserting any duration) until `condition` holds; fails the test if it never does. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe(`Redis shared invalidation of cached users (ioredis at ${testRedisUrl()})`, function () {
  const url = testRedisUrl();
  let probe: Redis;
  const opened: Array<{ close(): Promise<void> }> = [];
  const clients: Redis[] = [];
  /** The store both instances read: one value per key. */
  const store = new Map<string, number>();

  before(async function () {
    probe = await redisOrSkip(this, url);
  });

  after(async () => {
    await Promise.all(opened.map((o) => o.close()));
    for (const c of clients) c.disconnect();
    await probe?.quit();
  });

  /** One instance: its Redis client (the production one), its channel, and a user cache on it. */
  async function anInstance(channel: string, redisUrl = url) {
    const { logger, entries } = capturingLogger('warn');
    const redis = connectRedis(redisUrl, logger);
    clients.push(redis);
    const shared = new RedisSharedInvalidation(redis, channel, logger);
    opened.push(shared);
    const cache = new ReadThroughCache<Record>({ max: 100, ttlMs: 60_000, shared }, clone);
    let loads = 0;
    const read = (key: string) =>
      cache.get(key, () => {
        loads += 1;
        const v = store.get(key);
        return Promise.resolve(v === undefined ? null : { v });
      });
    const write = (key: string, v: number) =>
      cache.writing(key, () => {
        store.set(key, v);
        return Promise.resolve();
      });
    await until(() => shared.isLive(), 'the subscription is live');
    return { redis, shared, cache, read, write, loads: () => loads, logged: entries };
  }

  /** A relay in front of the test Redis, so a test can take Redis away from one instance; stopped after the suite. */
  async function aRelayToRedis() {
    const relay = await TcpProxy.inFrontOf(url, 6379);
    opened.push({ close: () => relay.proxy.stop() });
    return relay;
  }

  /** What the service does first on every request: a round trip to Redis (its session check). */
  const sessionCheck = (redis: Redis) => redis.ping();

  it('serves a repeated read from memory while nothing changes', async () => {
    const channel = `${uniqueRedisPrefix()}invalidate:users`;
    store.set('u1', 1);
    const b = await anInstance(channel);
    await b.read('u1');
    expect(await b.read('u1')).to.deep.equal({ v: 1 });
    expect(b.loads()).to.equal(1);
  });

  it("forgets on B, before B's next request gets past its session check, a user A changed", async () => {
    const channel = `${uniqueRedisPrefix()}invalidate:users`;
    store.set('u2', 1);
    const a = await anInstance(channel);
    const b = await anInstance(channel);
    expect(await b.read('u2')).to.deep.equal({ v: 1 });

    await a.write('u2', 2); // resolves once the notice is published: A would answer its client now

    await sessionCheck(b.redis);
    expect(await b.read('u2'), 'B reads the store again').to.deep.equal({ v: 2 });
    expect(b.loads()).to.equal(2);
  });

  it('tells the others to forget everything on a write that may touch many entries', async () => {
    const channel = `${uniqueRedisPrefix()}invalidate:users`;
    store.set('u3', 1).set('u4', 1);
    const a = await anInstance(channel);
    const b = await anInstance(channel);
    await b.read('u3');
    await b.read('u4');
    await a.cache.writingWhere(
      () => true,
      () => {
        store.set('u3', 2).set('u4', 2);
        return Promise.resolve();
      },
    );
    await sessionCheck(b.redis);
    expect([await b.read('u3'), await b.read('u4')]).to.deep.equal([{ v: 2 }, { v: 2 }]);
  });

  it('hears only its own channel (another REDIS_KEY_PREFIX is another deployment)', async () => {
    store.set('u5', 1);
    const a = await anInstance(`${uniqueRedisPrefix()}invalidate:users`);
    const b = await anInstance(`${uniqueRedisPrefix()}invalidate:users`);
    await b.read('u5');
    await a.write('u5', 2);
    await sessionCheck(b.redis);
    expect(await b.read('u5'), 'still the copy B holds').to.deep.equal({ v: 1 });
  });

  it('serves nothing from memory while its subscription is down, and comes back with an empty cache', async () => {
    const channel = `${uniqueRedisPrefix()}invalidate:users`;
    const { proxy, url: throughProxy } = await aRelayToRedis();
    store.set('u6', 1);
    const a = await anInstance(channel);
    const b = await anInstance(channel, throughProxy);
    await b.read('u6');

    await proxy.stop(); // B loses Redis: notices sent now never reach it
    await until(() => !b.shared.isLive(), 'B notices the lost subscription');
    await a.write('u6', 2);
    expect(await b.read('u6'), 'read from the store while deaf').to.deep.equal({ v: 2 });
    store.set('u6', 3); // ... and a change B cannot hear about: nothing was cached meanwhile
    expect(await b.read('u6')).to.deep.equal({ v: 3 });
    const loadsWhileDeaf = b.loads();

    await proxy.start();
    await until(() => b.shared.isLive(), 'B subscribes again');
    expect(await b.read('u6')).to.deep.equal({ v: 3 });
    expect(b.loads(), 'the first read after coming back asks the store').to.equal(loadsWhileDeaf + 1);
  });

  it('empties the cache when the subscription comes back, so nothing cached before a missed notice survives', async () => {
    const channel = `${uniqueRedisPrefix()}invalidate:users`;
    const { proxy, url: throughProxy } = await aRelayToRedis();
    store.set('u7', 1);
    const a = await anInstance(channel);
    const b = await anInstance(channel, throughProxy);
    await b.read('u7');
    await proxy.stop();
    await until(() => !b.shared.isLive(), 'B notices the lost subscription');
    await a.write('u7', 2); // B misses this notice
    await proxy.start();
    await until(() => b.shared.isLive(), 'B subscribes again');
    expect(await b.read('u7')).to.deep.equal({ v: 2 });
  });

  it('logs a notice it cannot send and still completes the write', async () => {
    const channel = `${uniqueRedisPrefix()}invalidate:users`;
    const { proxy, url: throughProxy } = await aRelayToRedis();
    const a = await anInstance(channel, throughProxy);
    await proxy.stop();
    await until(() => !a.shared.isLive(), 'A notices the lost subscription');
    await a.write('u8', 1);
    expect(store.get('u8')).to.equal(1);
    expect(a.logged().map((e) => e.msg)).to.include('cache invalidation not sent: other instances may serve the old record until their cache TTL ends');
  });
});
