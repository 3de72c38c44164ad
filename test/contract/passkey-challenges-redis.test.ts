import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisPasskeyChallengeStore } from '../../src/adapters/persistence/redis/redis-passkey-challenge-store.js';
import { ServiceUnavailableError } from '../../src/domain/errors.js';
import { FixedClock } from '../support/fixed-clock.js';
import { keysUnder, suiteRedis, testRedisUrl } from '../support/redis.js';
import { codeOf, rejectionOf } from './builders.js';
import { passkeyChallengeStoreContract } from './passkey-challenge-store.contract.js';

describe('passkey challenges in Redis', () => {
  const redis = suiteRedis();
  passkeyChallengeStoreContract('RedisPasskeyChallengeStore', () => {
    const clock = new FixedClock(new Date());
    return { store: new RedisPasskeyChallengeStore(redis.client(), redis.prefix, clock), clock };
  });

  it('keeps a challenge under <prefix>passkey-challenge: with a TTL of what is left of its life, and forgets it once spent', async () => {
    const clock = new FixedClock(new Date());
    const store = new RedisPasskeyChallengeStore(redis.client(), redis.prefix, clock);
    await store.issue({ value: 'ttl-check', ceremony: 'authentication', userId: null, expiresAt: new Date(clock.now().getTime() + 300_000) });
    const key = `${redis.prefix}passkey-challenge:ttl-check`;
    const ttl = await redis.client().pttl(key);
    expect(ttl).to.be.within(299_000, 300_000);
    expect(await store.consume('ttl-check', 'authentication', null, clock.now())).to.equal(true);
    expect(await keysUnder(redis.client(), `${redis.prefix}passkey-challenge:ttl-check`)).to.deep.equal([]);
  });

  it('fails closed with SERVICE_UNAVAILABLE, and no client text, once the connection is gone', async () => {
    const gone = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    gone.on('error', () => undefined);
    await new Promise<void>((resolve) => gone.once('ready', () => resolve()));
    const store = new RedisPasskeyChallengeStore(gone, `${redis.prefix}gone:`, new FixedClock());
    gone.disconnect();
    for (const [method, call] of [
      ['issue', () => store.issue({ value: 'v', ceremony: 'authentication', userId: null, expiresAt: new Date('2026-01-01T00:05:00.000Z') })],
      ['consume', () => store.consume('v', 'authentication', null, new Date('2026-01-01T00:00:00.000Z'))],
    ] as const) {
      const err = await rejectionOf(call());
      expect(err, method).to.be.instanceOf(ServiceUnavailableError);
      expect(codeOf(err), method).to.equal('SERVICE_UNAVAILABLE');
      expect((err as Error).message, method).to.not.match(/redis|connection|stream/i);
    }
  });
});
