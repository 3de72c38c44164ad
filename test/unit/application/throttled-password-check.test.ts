import { expect } from 'chai';
import { ThrottledPasswordCheck } from '../../../src/application/throttled-password-check.js';
import type { TooManyAttemptsError } from '../../../src/domain/errors.js';
import type { PasswordHasher } from '../../../src/domain/ports/password-hasher.js';
import { buildAuth, expectCode, GOOD_PASSWORD, hasher, type Auth } from './harness.js';

const LIMITS = { maxFailures: 3, windowSeconds: 60, ipMaxFailures: 10 };
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
