import { TEST_COUNTER_KEY } from '../support/config.js';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { redisLimiters } from '../../src/adapters/throttle/limiters.js';
import { RateLimiterLoginThrottle } from '../../src/adapters/throttle/rate-limiter-login-throttle.js';
import { ServiceUnavailableError } from '../../src/domain/errors.js';
import type { LoginThrottle } from '../../src/domain/ports/login-throttle.js';
import { codeOf, rejectionOf } from './builders.js';
import { loginThrottleContract, type CounterKind } from './login-throttle.contract.js';
import { FixedClock } from '../support/fixed-clock.js';
import { deleteKeysUnder, keysUnder, suiteRedis, testRedisUrl } from '../support/redis.js';

const LIMITS = { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 10, accountMaxFailures: 100 };
const KINDS: ReadonlyArray<readonly [string, CounterKind]> = [
  ['login-pair', 'pair'],
  ['login-ip', 'ip'],
  ['login-account:', 'account'],
  ['login-known:', 'address'],
];
const kindOf = (key: string, prefix: string): CounterKind => {
  const kind = KINDS.find(([name]) => key.startsWith(`${prefix}${name}`))?.[1];
  if (!kind) throw new Error(`a key of no known kind: ${key}`);
  return kind;
};
const ATTEMPT = { email: 'someone@example.com', clientIp: '192.0.2.10' };

/** Every port method of a throttle whose store is down rejects with SERVICE_UNAVAILABLE: none lets an attempt through. */
async function expectFailsClosed(throttle: LoginThrottle): Promise<void> {
  for (const [method, call] of [
    ['retryAfter', () => throttle.retryAfter(ATTEMPT)],
    ['recordFailure', () => throttle.recordFailure(ATTEMPT)],
    ['recordSuccess', () => throttle.recordSuccess(ATTEMPT)],
    ['begin', () => throttle.begin(ATTEMPT)],
    ['abandon', () => throttle.abandon(ATTEMPT)],
    ['recordSignUp', () => throttle.recordSignUp(ATTEMPT)],
    ['clearAccount', () => throttle.clearAccount(ATTEMPT.email)],
  ] as const) {
    const err = await rejectionOf(call());
    expect(err, `${method} rejects with ServiceUnavailableError`).to.be.instanceOf(ServiceUnavailableError);
    expect(codeOf(err), method).to.equal('SERVICE_UNAVAILABLE');
    expect((err as Error).message, `${method}: no driver text`).to.not.match(/redis|ECONNREFUSED|6390/i);
  }
}

describe(`Redis login throttle (rate-limiter-flexible + ioredis at ${testRedisUrl()})`, function () {
  const url = testRedisUrl();
  const redis = suiteRedis(url);
  const runPrefix = redis.prefix;
  let fixtures = 0;


  loginThrottleContract('RateLimiterLoginThrottle over redisLimiters', (limits, clock) => {
    const client = redis.client();
    // A prefix per fixture: its counters are exactly the keys under it.
    const prefix = `${runPrefix}${(fixtures++).toString(36)}:`;
    return Promise.resolve({
      throttle: new RateLimiterLoginThrottle(redisLimiters(client, limits, prefix, clock), TEST_COUNTER_KEY),
      storedCounters: async () => {
        const keys = await keysUnder(client, prefix);
        return Promise.all(keys.map(async (key) => ({ kind: kindOf(key, prefix), key, ttlMs: await client.pttl(key) })));
      },
      teardown: async () => {
        await deleteKeysUnder(client, prefix);
      },
    });
  });

  describe('keys', () => {
    it('puts every counter under REDIS_KEY_PREFIX', async () => {
      const client = redis.client();
      const prefix = `${runPrefix}prefixed:`;
      const throttle = new RateLimiterLoginThrottle(redisLimiters(client, LIMITS, prefix, new FixedClock()), TEST_COUNTER_KEY);
      await throttle.recordSuccess({ ...ATTEMPT, clientIp: '192.0.2.11' });
      await throttle.begin(ATTEMPT);
      await throttle.recordFailure(ATTEMPT);

      const keys = await keysUnder(client, prefix);

      expect(keys.map((key) => kindOf(key, prefix)).sort()).to.deep.equal(['account', 'address', 'ip', 'pair']);
      for (const key of keys) expect(key.startsWith(prefix), key).to.equal(true);
    });
  });

  describe('when Redis cannot be reached (fail closed)', () => {
    const clients: Redis[] = [];
    after(() => {
      for (const client of clients.splice(0)) client.disconnect();
    });

    /** A client configured as the container configures its own. */
    const clientOf = (target: string): Redis => {
      const client = new Redis(target, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    };

    it('rejects every call with SERVICE_UNAVAILABLE when nothing listens on the port, never answering 0', async () => {
      const client = clientOf('redis://127.0.0.1:6390');
      await expectFailsClosed(new RateLimiterLoginThrottle(redisLimiters(client, LIMITS, `${runPrefix}closed:`, new FixedClock()), TEST_COUNTER_KEY));
    });

    it('rejects every call with SERVICE_UNAVAILABLE once the connection is gone', async () => {
      const client = clientOf(url);
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('end', () => reject(new Error('the client never became ready')));
      });
      const throttle = new RateLimiterLoginThrottle(redisLimiters(client, LIMITS, `${runPrefix}gone:`, new FixedClock()), TEST_COUNTER_KEY);
      expect(await throttle.retryAfter(ATTEMPT), 'answers while connected').to.equal(0);

      client.disconnect();

      await expectFailsClosed(throttle);
    });
  });
});
