import { expect } from 'chai';
import { RedisSignInStateStore } from '../../src/adapters/persistence/redis/redis-sign-in-state-store.js';
import { FixedClock } from '../support/fixed-clock.js';
import { keysUnder, suiteRedis } from '../support/redis.js';
import { signInStateStoreContract } from './sign-in-state-store.contract.js';

describe('provider sign-in states in Redis', () => {
  const redis = suiteRedis();
  signInStateStoreContract('RedisSignInStateStore', () => {
    const clock = new FixedClock(new Date());
    return { store: new RedisSignInStateStore(redis.client(), redis.prefix, clock), clock };
  });

  it('keeps a state under <prefix>sign-in-state: with a TTL of what is left of its life, and forgets it once spent', async () => {
    const clock = new FixedClock(new Date());
    const store = new RedisSignInStateStore(redis.client(), redis.prefix, clock);
    await store.issue('ttl-check', 'google', new Date(clock.now().getTime() + 600_000));
    const key = `${redis.prefix}sign-in-state:ttl-check`;
    expect(await redis.client().pttl(key)).to.be.within(599_000, 600_000);
    expect(await store.consume('ttl-check', 'google', clock.now())).to.equal(true);
    expect(await keysUnder(redis.client(), key)).to.deep.equal([]);
  });
});
