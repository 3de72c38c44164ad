import { RedisPasskeyChallengeStore } from '../../src/adapters/persistence/redis/redis-passkey-challenge-store.js';
import { FixedClock } from '../support/fixed-clock.js';
import { suiteRedis } from '../support/redis.js';
import { passkeyChallengeStoreContract } from './passkey-challenge-store.contract.js';

describe('passkey challenges in Redis', () => {
  const redis = suiteRedis();
  passkeyChallengeStoreContract('RedisPasskeyChallengeStore', () => {
    const clock = new FixedClock(new Date());
    return { store: new RedisPasskeyChallengeStore(redis.client(), redis.prefix, clock), clock };
  });
});
