import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { RedisTokenStore } from '../../src/adapters/persistence/redis/redis-token-store.js';
import { ServiceUnavailableError } from '../../src/domain/errors.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import { deleteKeysUnder, keysUnder, suiteRedis, testRedisUrl } from '../support/redis.js';
import { aDigest, aSession, at, codeOf, rejectionOf } from './builders.js';
import { refreshRotationContract } from './refresh-rotation.contract.js';
import { tokenStoreContract } from './token-store.contract.js';
import { sessionAmrContract } from './session-amr.contract.js';

const IDLE_SECONDS = 30 * 24 * 3600;
const DAY_MS = 24 * 3600 * 1000;

describe(`Redis token store (ioredis at ${testRedisUrl()})`, function () {
  const url = testRedisUrl();
  const redis = suiteRedis(url);
  const runPrefix = redis.prefix;
  const client = () => redis.client();
  let fixtures = 0;

  /** A store under a prefix of its own: its state is exactly the keys under that prefix. */
  const fresh = (idleTtlSeconds = IDLE_SECONDS) => {
    const prefix = `${runPrefix}${(fixtures++).toString(36)}:`;
    return { prefix, store: new RedisTokenStore(client(), { prefix, idleTtlSeconds }) };
  };

  const fixture = () => {
    const { prefix, store } = fresh();
    return Promise.resolve({
      store,
      users: new InMemoryUserRepository(),
      teardown: async () => {
        await deleteKeysUnder(client(), prefix);
      },
    });
  };

  tokenStoreContract('RedisTokenStore', fixture);

  sessionAmrContract('RedisTokenStore', fixture);
  refreshRotationContract('RedisTokenStore + InMemoryUserRepository', fixture);

  describe('keys and their lifetimes', () => {
    const userId = randomUUID();

    it('puts every key under REDIS_KEY_PREFIX, and every key carries a TTL', async () => {
      const { prefix, store } = fresh();
      await store.create(aSession(userId));
      await store.create(aSession(userId));

      const keys = await keysUnder(client(), prefix);

      expect(keys).to.have.length(3); // two sessions and the user's index
      for (const key of keys) {
        expect(key.startsWith(prefix), key).to.equal(true);
        expect(await client().pttl(key), `${key} has a TTL`).to.be.greaterThan(0);
      }
    });

    it('expires a session with its newest refresh token, and a rotation moves that moment', async () => {
      const idle = 3600;
      const { prefix, store } = fresh(idle);
      const session = aSession(userId);
      await store.create(session);
      const key = `${prefix}session:${session.id}`;
      const first = await client().pttl(key);
      expect(first).to.be.within(idle * 1000 - 5000, idle * 1000);

      // Rotated an hour minus a minute later: a fresh hour from then, not what was left.
      await client().pexpire(key, 60_000);
      const later = new Date(session.lastUsedAt.getTime() + (idle - 60) * 1000);
      expect(await store.rotate(session.id, session.currentTokenDigest, aDigest(), later)).to.equal(true);

      expect(await client().pttl(key)).to.be.within(idle * 1000 - 5000, idle * 1000);
    });

    it("never keeps a session past its absolute end, however recently it was rotated", async () => {
      const { prefix, store } = fresh();
      const session = aSession(userId, { expiresAt: new Date(at('2026-01-02T03:04:05.678Z').getTime() + 2 * DAY_MS) });
      await store.create(session);
      const key = `${prefix}session:${session.id}`;
      expect(await client().pttl(key)).to.be.within(2 * DAY_MS - 5000, 2 * DAY_MS);

      const oneDayLater = new Date(session.createdAt.getTime() + DAY_MS);
      expect(await store.rotate(session.id, session.currentTokenDigest, aDigest(), oneDayLater)).to.equal(true);

      expect(await client().pttl(key)).to.be.within(DAY_MS - 5000, DAY_MS);
    });

    it("gives the user's index the lifetime of its longest-lived session, never shortening it", async () => {
      const { prefix, store } = fresh();
      const createdAt = at('2026-01-02T03:04:05.678Z');
      await store.create(aSession(userId, { createdAt, expiresAt: new Date(createdAt.getTime() + 10 * DAY_MS) }));
      await store.create(aSession(userId, { createdAt, expiresAt: new Date(createdAt.getTime() + 2 * DAY_MS) }));

      expect(await client().pttl(`${prefix}user-sessions:${userId}`)).to.be.within(10 * DAY_MS - 5000, 10 * DAY_MS);
    });

    it('sweeps sessions whose hash has expired from the index when listing', async () => {
      const { prefix, store } = fresh();
      const kept = aSession(userId);
      const vanished = aSession(userId);
      await store.create(kept);
      await store.create(vanished);
      await client().del(`${prefix}session:${vanished.id}`);

      expect((await store.listLive(userId, at('2026-01-03T00:00:00.000Z'))).map((s) => s.id)).to.deep.equal([kept.id]);
      expect(await client().zrange(`${prefix}user-sessions:${userId}`, '0', '-1')).to.deep.equal([kept.id]);
    });

    it('drops ended sessions from the index on logout-all, and keeps the one spared', async () => {
      const { prefix, store } = fresh();
      const spared = aSession(userId);
      await store.create(spared);
      await store.create(aSession(userId));
      await store.create(aSession(userId));

      expect(await store.endAllForUser(userId, at('2026-01-05T00:00:00.000Z'), spared.id)).to.equal(2);

      expect(await client().zrange(`${prefix}user-sessions:${userId}`, '0', '-1')).to.deep.equal([spared.id]);
    });

    it('stores digests only: no key or value holds anything but ids, digests, times and the user agent', async () => {
      const { prefix, store } = fresh();
      const session = aSession(userId);
      await store.create(session);

      const hash = await client().hgetall(`${prefix}session:${session.id}`);

      expect(Object.keys(hash).sort()).to.deep.equal(['a', 'c', 'cur', 'l', 'u', 'x']);
      expect(hash.cur).to.equal(session.currentTokenDigest);
    });
  });

  describe('when Redis cannot be reached (fail closed)', () => {
    const calls = (store: TokenStore) =>
      [
        ['create', () => store.create(aSession(randomUUID()))],
        ['find', () => store.find(randomUUID())],
        ['rotate', () => store.rotate(randomUUID(), aDigest(), aDigest(), new Date())],
        ['end', () => store.end(randomUUID(), new Date())],
        ['endAllForUser', () => store.endAllForUser(randomUUID(), new Date())],
        ['listLive', () => store.listLive(randomUUID(), new Date())],
      ] as const;

    it('rejects every call with SERVICE_UNAVAILABLE once the connection is gone, with no client text', async () => {
      const gone = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
      gone.on('error', () => undefined);
      await new Promise<void>((resolve) => gone.once('ready', () => resolve()));
      const store = new RedisTokenStore(gone, { prefix: `${runPrefix}gone:`, idleTtlSeconds: IDLE_SECONDS });
      expect(await store.find(randomUUID()), 'answers while connected').to.equal(null);
      gone.disconnect();

      for (const [method, call] of calls(store)) {
        const err = await rejectionOf(call());
        expect(err, method).to.be.instanceOf(ServiceUnavailableError);
        expect(codeOf(err), method).to.equal('SERVICE_UNAVAILABLE');
        expect((err as Error).message, method).to.not.match(/redis|connection|stream/i);
      }
    });
  });
});
