import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisMfaChallengeStore } from '../../src/adapters/persistence/redis/redis-mfa-challenge-store.js';
import { ServiceUnavailableError } from '../../src/domain/errors.js';
import { MFA_MAX_FAILURES, type MfaChallenge } from '../../src/domain/mfa.js';
import { FixedClock } from '../support/fixed-clock.js';
import { keysUnder, suiteRedis, testRedisUrl } from '../support/redis.js';
import { codeOf, rejectionOf } from './builders.js';
import { mfaChallengeStoreContract } from './mfa-challenge-store.contract.js';

describe('MFA challenges in Redis', () => {
  const redis = suiteRedis();
  mfaChallengeStoreContract('RedisMfaChallengeStore', () => {
    const clock = new FixedClock(new Date());
    return { store: new RedisMfaChallengeStore(redis.client(), redis.prefix, clock), clock };
  });

  const challenge = (tokenDigest: string, clock: FixedClock): MfaChallenge => ({
    tokenDigest,
    userId: 'user-1',
    mode: 'bearer',
    amr: ['pwd'],
    throttleKey: { email: 'ada@example.com', clientIp: '203.0.113.7' },
    expiresAt: new Date(clock.now().getTime() + 300_000),
  });

  it('keeps a challenge under <prefix>mfa: with a TTL of what is left of its life, and forgets it once spent', async () => {
    const clock = new FixedClock(new Date());
    const store = new RedisMfaChallengeStore(redis.client(), redis.prefix, clock);
    await store.issue(challenge('ttl-check', clock));
    const key = `${redis.prefix}mfa:ttl-check`;
    expect(await redis.client().pttl(key)).to.be.within(299_000, 300_000);
    expect(await store.consume('ttl-check', clock.now())).to.not.equal(null);
    expect(await keysUnder(redis.client(), key)).to.deep.equal([]);
  });

  it('gives the failure count a TTL no longer than its challenge, and drops both once it is voided', async () => {
    const clock = new FixedClock(new Date());
    const store = new RedisMfaChallengeStore(redis.client(), redis.prefix, clock);
    await store.issue(challenge('fail-ttl', clock));
    expect(await store.recordFailure('fail-ttl', MFA_MAX_FAILURES)).to.equal(1);
    // The challenge's TTL read first: the count's, read after, can only be as long or shorter.
    const challengeTtl = await redis.client().pttl(`${redis.prefix}mfa:fail-ttl`);
    const ttl = await redis.client().pttl(`${redis.prefix}mfa-failures:fail-ttl`);
    expect(ttl).to.be.within(1, challengeTtl);
    for (let n = 2; n <= MFA_MAX_FAILURES; n++) await store.recordFailure('fail-ttl', MFA_MAX_FAILURES);
    expect(await keysUnder(redis.client(), `${redis.prefix}mfa`)).to.satisfy((keys: string[]) => keys.every((k) => !k.endsWith(':fail-ttl')));
  });

  it('fails closed with SERVICE_UNAVAILABLE, and no client text, once the connection is gone', async () => {
    const gone = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    gone.on('error', () => undefined);
    await new Promise<void>((resolve) => gone.once('ready', () => resolve()));
    const clock = new FixedClock();
    const store = new RedisMfaChallengeStore(gone, `${redis.prefix}gone:`, clock);
    gone.disconnect();
    for (const [method, call] of [
      ['issue', () => store.issue(challenge('v', clock))],
      ['find', () => store.find('v', clock.now())],
      ['recordFailure', () => store.recordFailure('v', MFA_MAX_FAILURES)],
      ['consume', () => store.consume('v', clock.now())],
    ] as const) {
      const err = await rejectionOf(call());
      expect(err, method).to.be.instanceOf(ServiceUnavailableError);
      expect(codeOf(err), method).to.equal('SERVICE_UNAVAILABLE');
      expect((err as Error).message, method).to.not.match(/redis|connection|stream/i);
    }
  });
});
