import { expect } from 'chai';
import { ThrottledPasswordCheck } from '../../../src/application/passwords/throttled-password-check.js';
import type { TooManyAttemptsError } from '../../../src/domain/errors.js';
import type { PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import { buildAuth, expectCode, GOOD_PASSWORD, hasher, rejectionOf, type Auth } from './harness.js';

const LIMITS = { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 10, accountMaxFailures: 6 };
const THIRTY_DAYS = 30 * 24 * 3600;
const IP = '192.0.2.1';

/** The real bcrypt hasher, counting checks: a throttled attempt must never reach it. */
class CountingPasswordHasher implements PasswordHasher {
  verifies = 0;

  hash(password: string): Promise<string> {
    return hasher.hash(password);
  }

  verify(password: string, hash: string | null): Promise<boolean> {
    this.verifies += 1;
    return hasher.verify(password, hash);
  }
}

let lastOctet = 0;
/** A fresh documentation-range address, as each machine of a botnet has its own. */
const botnetIp = () => `198.51.100.${(lastOctet++ % 250) + 1}`;

describe('ThrottledPasswordCheck', () => {
  let auth: Auth;
  let counting: CountingPasswordHasher;
  let check: ThrottledPasswordCheck;
  let hash: string;
  before(async () => {
    hash = await hasher.hash(GOOD_PASSWORD);
  });
  beforeEach(() => {
    auth = buildAuth({}, LIMITS);
    counting = new CountingPasswordHasher();
    check = new ThrottledPasswordCheck(counting, auth.throttle);
  });

  const attempt = (email = 'alice@example.com', clientIp = IP) => ({ email, clientIp });
  const fail = async (times: number, a = attempt()) => {
    for (let i = 0; i < times; i++) expect(await check.verify(a, 'not the password', hash)).to.equal(false);
  };

  it('answers true for the right password and false for a wrong one', async () => {
    expect(await check.verify(attempt(), GOOD_PASSWORD, hash)).to.equal(true);
    expect(await check.verify(attempt(), 'not the password', hash)).to.equal(false);
  });

  it('refuses the attempt after LOGIN_MAX_FAILURES failures with TOO_MANY_ATTEMPTS and whole seconds to wait, even with the right password', async () => {
    await fail(3);

    const error = await expectCode(check.verify(attempt(), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');

    const seconds = (error as TooManyAttemptsError).retryAfterSeconds;
    expect(Number.isInteger(seconds), `${seconds} is whole`).to.equal(true);
    expect(seconds).to.be.within(1, LIMITS.windowSeconds);
  });

  it('runs no bcrypt on a throttled attempt', async () => {
    await fail(3);
    expect(counting.verifies).to.equal(3);

    for (let i = 0; i < 3; i++) await expectCode(check.verify(attempt(), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');

    expect(counting.verifies).to.equal(3);
  });

  it('counts an unknown account (null hash) as a failure, after the same bcrypt work', async () => {
    for (let i = 0; i < 3; i++) expect(await check.verify(attempt('nobody@example.com'), GOOD_PASSWORD, null)).to.equal(false);

    expect(counting.verifies, 'bcrypt ran for each unknown-account attempt').to.equal(3);
    await expectCode(check.verify(attempt('nobody@example.com'), GOOD_PASSWORD, null), 'TOO_MANY_ATTEMPTS');
  });

  it('throttles only the pair: another email from the same IP, or the same email from another IP, goes on', async () => {
    await fail(3);

    expect(await check.verify(attempt('bob@example.com'), GOOD_PASSWORD, hash)).to.equal(true);
    expect(await check.verify(attempt('alice@example.com', '192.0.2.2'), GOOD_PASSWORD, hash)).to.equal(true);
  });

  it('clears the pair on a success: 2 failures, a success, 2 failures still leave it allowed', async () => {
    await fail(2);
    expect(await check.verify(attempt(), GOOD_PASSWORD, hash)).to.equal(true);
    await fail(2);

    expect(await check.verify(attempt(), GOOD_PASSWORD, hash)).to.equal(true);
  });

  it('stops an IP after LOGIN_IP_MAX_FAILURES failures across emails, and a success does not reset that', async () => {
    for (let i = 0; i < 9; i++) await fail(1, attempt(`spray${i}@example.com`));
    expect(await check.verify(attempt(), GOOD_PASSWORD, hash)).to.equal(true);
    await fail(1, attempt('spray9@example.com'));

    await expectCode(check.verify(attempt(), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');
    await expectCode(check.verify(attempt('fresh@example.com'), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');
    expect(await check.verify(attempt('fresh@example.com', '192.0.2.2'), GOOD_PASSWORD, hash), 'another IP').to.equal(true);
  });

  it('does not count throttled attempts against the IP', async () => {
    await fail(3);
    for (let i = 0; i < 20; i++) await expectCode(check.verify(attempt(), 'not the password', hash), 'TOO_MANY_ATTEMPTS');
    for (let i = 0; i < 6; i++) await fail(1, attempt(`spray${i}@example.com`));

    expect(await check.verify(attempt('bob@example.com'), GOOD_PASSWORD, hash), '9 counted failures: under the ceiling').to.equal(true);
  });

  describe('per account (LOGIN_ACCOUNT_MAX_FAILURES, from every address together)', () => {
    const fromBotnet = async (times: number, email = 'alice@example.com') => {
      for (let i = 0; i < times; i++) expect(await check.verify(attempt(email, botnetIp()), 'not the password', hash)).to.equal(false);
    };

    it('refuses every fresh address after the 6th consecutive failure from 6 addresses, before bcrypt, even with the right password', async () => {
      await fromBotnet(5);
      expect(await check.verify(attempt('alice@example.com', botnetIp()), GOOD_PASSWORD, hash), 'the 6th attempt is checked').to.equal(true);
      await fromBotnet(6);
      const checked = counting.verifies;

      const error = await expectCode(check.verify(attempt('alice@example.com', botnetIp()), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');

      expect((error as TooManyAttemptsError).retryAfterSeconds).to.equal(THIRTY_DAYS);
      expect(counting.verifies, 'bcrypt ran for the refused attempt').to.equal(checked);
      expect(await check.verify(attempt('bob@example.com', botnetIp()), GOOD_PASSWORD, hash), 'another account').to.equal(true);
    });

    it('lets the owner in from an address it signed in from, and that success ends the lockout for every address', async () => {
      const home = '203.0.113.7';
      expect(await check.verify(attempt('alice@example.com', home), GOOD_PASSWORD, hash)).to.equal(true);
      await fromBotnet(6);
      await expectCode(check.verify(attempt('alice@example.com', botnetIp()), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');

      expect(await check.verify(attempt('alice@example.com', home), GOOD_PASSWORD, hash), 'the owner at home').to.equal(true);

      expect(await check.verify(attempt('alice@example.com', botnetIp()), GOOD_PASSWORD, hash), 'any address after the owner’s success').to.equal(true);
    });

    it('no longer lets an address in once 30 days have passed since its last success there', async () => {
      const home = '203.0.113.7';
      expect(await check.verify(attempt('alice@example.com', home), GOOD_PASSWORD, hash)).to.equal(true);
      auth.clock.advance(THIRTY_DAYS);
      await fromBotnet(6);

      await expectCode(check.verify(attempt('alice@example.com', home), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');
    });

    it('checks exactly 6 passwords when 30 attempts on one account arrive at once from 30 addresses (a botnet’s burst)', async () => {
      const answers = await Promise.allSettled(
        Array.from({ length: 30 }, () => check.verify(attempt('alice@example.com', botnetIp()), 'not the password', hash)),
      );

      expect(counting.verifies, 'bcrypt checks').to.equal(6);
      expect(answers.filter((a) => a.status === 'fulfilled').length, 'answered 401').to.equal(6);
      for (const a of answers.filter((a) => a.status === 'rejected')) expect((a.reason as TooManyAttemptsError).code).to.equal('TOO_MANY_ATTEMPTS');
    });

    it('counts unknown accounts (a null hash) the same way', async () => {
      for (let i = 0; i < 6; i++) expect(await check.verify(attempt('nobody@example.com', botnetIp()), GOOD_PASSWORD, null)).to.equal(false);

      await expectCode(check.verify(attempt('nobody@example.com', botnetIp()), GOOD_PASSWORD, null), 'TOO_MANY_ATTEMPTS');
    });
  });

  it('does not count a success against the IP: 9 failures and any number of successes stay under a ceiling of 10', async () => {
    for (let i = 0; i < 9; i++) await fail(1, attempt(`spray${i}@example.com`));
    for (let i = 0; i < 5; i++) expect(await check.verify(attempt('bob@example.com'), GOOD_PASSWORD, hash), `success ${i + 1}`).to.equal(true);

    expect(await check.verify(attempt('carol@example.com'), 'not the password', hash), 'the 10th failure is still checked').to.equal(false);
    await expectCode(check.verify(attempt('bob@example.com'), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');
  });

  it('counts nothing when the password check itself fails (no verdict, no failure)', async () => {
    const broken = new ThrottledPasswordCheck(
      { hash: (p) => hasher.hash(p), verify: () => Promise.reject(new Error('hasher down')) },
      auth.throttle,
    );
    for (let i = 0; i < 10; i++) expect((await rejectionOf(broken.verify(attempt('alice@example.com', botnetIp()), GOOD_PASSWORD, hash)) as Error).message).to.equal('hasher down');

    for (let i = 0; i < 5; i++) expect(await check.verify(attempt('alice@example.com', botnetIp()), 'not the password', hash)).to.equal(false);
    expect(await check.verify(attempt('alice@example.com', botnetIp()), GOOD_PASSWORD, hash), 'the 6th: the account had 5 failures, not 15').to.equal(true);
  });

  it('never matches a password over 72 bytes, even one whose first 72 bytes match (bcrypt would truncate)', async () => {
    const prefix = 'a'.repeat(72);
    const truncated = await hasher.hash(prefix);

    expect(await check.verify(attempt(), `${prefix}b`, truncated)).to.equal(false);
    expect(await check.verify(attempt(), prefix, truncated)).to.equal(true);
  });
  describe('what bcrypt is asked to compare', () => {
    it('compares the NFC form: a password set in NFC matches when presented in NFD', async () => {
      const nfcHash = await hasher.hash('cr\u00e8me br\u00fbl\u00e9e');
      expect(await check.verify(attempt(), 'cre\u0300me bru\u0302le\u0301e', nfcHash)).to.equal(true);
    });

    it('never matches a password with a NUL, although bcrypt alone would: refused after the same bcrypt work, and counted', async () => {
      const eightNuls = await hasher.hash('\u0000'.repeat(8));
      // bcrypt stops at NUL: alone, it takes one NUL (or none) for eight.
      expect(await hasher.verify('\u0000', eightNuls)).to.equal(true);

      for (const presented of ['\u0000', '\u0000'.repeat(8)]) expect(await check.verify(attempt(), presented, eightNuls), JSON.stringify(presented)).to.equal(false);
      expect(counting.verifies, 'bcrypt ran for each').to.equal(2);

      expect(await check.verify(attempt(), '\u0000'.repeat(8), eightNuls)).to.equal(false);
      await expectCode(check.verify(attempt(), GOOD_PASSWORD, hash), 'TOO_MANY_ATTEMPTS');
    });

    it('never matches a password with another control character or a lone surrogate', async () => {
      for (const presented of [`${GOOD_PASSWORD}\n`, `\t${GOOD_PASSWORD}`, `${GOOD_PASSWORD}\u001b`, `${GOOD_PASSWORD}\u0085`, `${GOOD_PASSWORD}\ud800`]) {
        const stored = await hasher.hash(presented);
        expect(await check.verify(attempt('x@example.com', `198.51.100.${counting.verifies}`), presented, stored), JSON.stringify(presented)).to.equal(false);
      }
    });
  });
});
