import { expect } from 'chai';
import { Redis } from 'ioredis';
import { mailLimiters, RateLimiterMailThrottle, type MailLimits } from '../../src/adapters/throttle/rate-limiter-mail-throttle.js';
import type { MailThrottle } from '../../src/domain/ports/mail-throttle.js';
import { TEST_COUNTER_KEY } from '../support/config.js';
import { keysUnder, suiteRedis, testRedisUrl } from '../support/redis.js';
import { codeOf, rejectionOf } from './builders.js';

const IP = '192.0.2.10';

/** MAIL_PER_ADDRESS_PER_HOUR, the 60 s gap and MAIL_PER_IP_PER_HOUR, whatever store counts them. */
function mailThrottleContract(name: string, make: (limits: MailLimits) => Promise<MailThrottle>): void {
  describe(`MailThrottle: ${name}`, () => {
    const generous = { perAddressPerHour: 100, perIpPerHour: 100 };

    it('admits a first mail, and refuses another to the same address within 60 s, whoever asks', async () => {
      const throttle = await make(generous);
      expect(await throttle.admit('ada@example.com', IP)).to.equal(0);
      expect(await throttle.admit('ada@example.com', IP)).to.be.within(1, 60);
      expect(await throttle.admit('ada@example.com', '198.51.100.7'), 'from another client too').to.be.within(1, 60);
      expect(await throttle.admit('grace@example.com', IP), 'another address').to.equal(0);
    });

    it('refuses past MAIL_PER_ADDRESS_PER_HOUR for up to an hour', async () => {
      const throttle = await make({ perAddressPerHour: 1, perIpPerHour: 100 });
      expect(await throttle.admit('ada@example.com', IP)).to.equal(0);
      expect(await throttle.admit('ada@example.com', IP)).to.be.within(61, 3600);
    });

    it('refuses past MAIL_PER_IP_PER_HOUR, whatever the addresses; another client still may', async () => {
      const throttle = await make({ perAddressPerHour: 100, perIpPerHour: 2 });
      expect(await throttle.admit('a@example.com', IP)).to.equal(0);
      expect(await throttle.admit('b@example.com', IP)).to.equal(0);
      expect(await throttle.admit('c@example.com', IP)).to.be.within(1, 3600);
      expect(await throttle.admit('d@example.com', '198.51.100.7')).to.equal(0);
    });

    it('counts nothing when only asked how long to wait', async () => {
      const throttle = await make({ perAddressPerHour: 1, perIpPerHour: 1 });
      for (let i = 0; i < 5; i++) expect(await throttle.retryAfter('ada@example.com', IP)).to.equal(0);
      expect(await throttle.admit('ada@example.com', IP)).to.equal(0);
      expect(await throttle.retryAfter('ada@example.com', IP)).to.be.within(61, 3600);
      expect(await throttle.retryAfter('grace@example.com', IP), 'the client is spent too').to.be.within(1, 3600);
      expect(await throttle.retryAfter('grace@example.com', '198.51.100.7')).to.equal(0);
    });
  });
}

describe('mail throttle (rate-limiter-flexible)', () => {
  mailThrottleContract('in memory', (limits) => Promise.resolve(new RateLimiterMailThrottle(mailLimiters(limits, null, ''), TEST_COUNTER_KEY)));

  describe(`in Redis at ${testRedisUrl()}`, function () {
    const redis = suiteRedis();
    let fixtures = 0;
    // Every prefix is under the suite's own, whose keys the suite deletes after it.
    const onRedis = (limits: MailLimits, prefix = `${redis.prefix}mail${(fixtures++).toString(36)}:`) => {
      return new RateLimiterMailThrottle(mailLimiters(limits, redis.client(), prefix), TEST_COUNTER_KEY);
    };

    mailThrottleContract('RateLimiterMailThrottle over Redis', (limits) => Promise.resolve(onRedis(limits)));

    it('shares its counts between instances, under REDIS_KEY_PREFIX, with no address or IP in a key', async () => {
      const prefix = `${redis.prefix}shared:`;
      const limits = { perAddressPerHour: 3, perIpPerHour: 20 };
      expect(await onRedis(limits, prefix).admit('ada@example.com', IP)).to.equal(0);
      expect(await onRedis(limits, prefix).admit('ada@example.com', IP), 'a second instance sees the first mail').to.be.within(1, 60);
      const keys = await keysUnder(redis.client(), prefix);
      expect(keys.length).to.be.greaterThan(0);
      for (const key of keys) expect(key).to.not.match(/ada|example|192\.0\.2/);
    });

    it('fails closed: SERVICE_UNAVAILABLE when Redis cannot be reached, never a 0', async () => {
      const client = new Redis('redis://127.0.0.1:6390', { maxRetriesPerRequest: 1, enableOfflineQueue: false });
      client.on('error', () => undefined);
      try {
        const throttle = new RateLimiterMailThrottle(mailLimiters({ perAddressPerHour: 3, perIpPerHour: 20 }, client, 'closed:'), TEST_COUNTER_KEY);
        expect(codeOf(await rejectionOf(throttle.admit('ada@example.com', IP)))).to.equal('SERVICE_UNAVAILABLE');
        expect(codeOf(await rejectionOf(throttle.retryAfter('ada@example.com', IP)))).to.equal('SERVICE_UNAVAILABLE');
      } finally {
        client.disconnect();
      }
    });
  });
});
