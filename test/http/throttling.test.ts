import { expect } from 'chai';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import { basic, expectProblem, expectTokenAnswer, login, me, type Problem } from './helpers.js';
import { CountingPasswordHasher, from } from '../support/throttling.js';

const MAX_FAILURES = 3;
const WINDOW_SECONDS = 60;
const IP_MAX_FAILURES = 10;
const WRONG_PASSWORD = 'not the password';
const NEW_PASSWORD = 'a brand new passphrase';

const LIMITS = {
  LOGIN_MAX_FAILURES: String(MAX_FAILURES),
  LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
  LOGIN_IP_MAX_FAILURES: String(IP_MAX_FAILURES),
};


/** 429 TOO_MANY_ATTEMPTS with Retry-After in whole seconds, more than 0 and no longer than the window. */
function expectThrottled(res: ApiResponse, label = 'throttled'): Problem {
  expect(res.status, `${label}: ${res.text}`).to.equal(429);
  const problem = expectProblem(res, 429, 'TOO_MANY_ATTEMPTS');
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter, `${label}: Retry-After in whole seconds`).to.match(/^[1-9]\d*$/);
  expect(Number(retryAfter), `${label}: Retry-After within the window`).to.be.at.most(WINDOW_SECONDS);
  return problem;
}

const expectInvalidCredentials = (res: ApiResponse, label = 'a failed login') => {
  expect(res.status, `${label}: ${res.text}`).to.equal(401);
  expectProblem(res, 401, 'INVALID_CREDENTIALS');
};

describe('login throttling (LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_SECONDS=60, LOGIN_IP_MAX_FAILURES=10)', () => {
  let app: TestApp;
  let hasher: CountingPasswordHasher;
  const start = async (env: Record<string, string> = {}) => {
    hasher = new CountingPasswordHasher();
    app = await startTestApp({
      env: { ...LIMITS, ...env },
      override: (c) => c.register(TOKENS.PasswordHasher, { useValue: hasher }),
    });
  };
  afterEach(() => app.close());

  const failTimes = async (email: string, times: number, headers: Record<string, string> = {}) => {
    for (let i = 1; i <= times; i++) expectInvalidCredentials(await login(app.url, email, WRONG_PASSWORD, headers), `failure ${i} for ${email}`);
  };

  describe('per (email, IP) pair', () => {
    beforeEach(() => start());

    it('answers the 4th login after 3 failures with 429 and Retry-After, even with the right password', async () => {
      const user = await register(app.url);
      await failTimes(user.email, MAX_FAILURES);

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD), 'the right password');
      expectThrottled(await login(app.url, user.email, WRONG_PASSWORD), 'a wrong password');
    });

    it('lets the 3rd attempt through: the limit is 3 failures, not fewer', async () => {
      const user = await register(app.url);
      await failTimes(user.email, MAX_FAILURES - 1);
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);
    });

    it('runs no bcrypt for a throttled login (the hasher is not called)', async () => {
      const user = await register(app.url);
      await failTimes(user.email, MAX_FAILURES);
      const checked = hasher.verifies;
      expect(checked, 'each failure ran bcrypt').to.equal(MAX_FAILURES);

      for (const password of [GOOD_PASSWORD, WRONG_PASSWORD, GOOD_PASSWORD]) expectThrottled(await login(app.url, user.email, password));

      expect(hasher.verifies, 'bcrypt runs on a 429').to.equal(checked);
    });

    it('counts failures for an unknown email too, and throttles it exactly like a known one', async () => {
      const known = await register(app.url);
      const unknown = uniqueEmail('nobody');
      await failTimes(unknown, MAX_FAILURES);
      await failTimes(known.email, MAX_FAILURES);

      const forUnknown = expectThrottled(await login(app.url, unknown, WRONG_PASSWORD), 'unknown email');
      const forKnown = expectThrottled(await login(app.url, known.email, WRONG_PASSWORD), 'known email');
      expect({ ...forUnknown, detail: '' }, 'the same answer').to.deep.equal({ ...forKnown, detail: '' });
    });

    it('does not block another email from the same IP', async () => {
      const blocked = await register(app.url);
      const other = await register(app.url);
      await failTimes(blocked.email, MAX_FAILURES);
      expectThrottled(await login(app.url, blocked.email, GOOD_PASSWORD));

      expectTokenAnswer(await login(app.url, other.email, GOOD_PASSWORD), 200);
      expectInvalidCredentials(await login(app.url, other.email, WRONG_PASSWORD), 'another email’s failure');
      expectInvalidCredentials(await login(app.url, uniqueEmail('fresh'), WRONG_PASSWORD), 'a fresh email’s failure');
    });

    it('resets the pair on a success: 2 failures, a success, 2 failures leave it allowed', async () => {
      const user = await register(app.url);
      await failTimes(user.email, 2);
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);
      await failTimes(user.email, 2);

      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);

      // Counted from zero again after that success: a third failure in a row blocks.
      await failTimes(user.email, MAX_FAILURES);
      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD));
    });

    it('counts the normalised email: case and surrounding spaces make no new pair', async () => {
      const user = await register(app.url, uniqueEmail('mixed'));
      for (const variant of [user.email.toUpperCase(), `  ${user.email}  `, user.email.replace(/^./, (c) => c.toUpperCase())]) {
        expectInvalidCredentials(await login(app.url, variant, WRONG_PASSWORD), variant);
      }
      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD));
      expectThrottled(await login(app.url, user.email.toUpperCase(), GOOD_PASSWORD));
    });

    it('counts failures sent as Authorization: Basic like body logins', async () => {
      const user = await register(app.url);
      for (let i = 0; i < MAX_FAILURES; i++) {
        expectInvalidCredentials(await call(app.url, 'POST', '/auth/login', { headers: basic(user.email, WRONG_PASSWORD) }));
      }
      expectThrottled(await call(app.url, 'POST', '/auth/login', { headers: basic(user.email, GOOD_PASSWORD) }), 'Basic');
      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD), 'JSON body');
    });

    it('does not throttle registration: a throttled unknown email can still register, and its pair stays throttled', async () => {
      const email = uniqueEmail('later');
      await failTimes(email, MAX_FAILURES);

      const created = await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD } });
      const tokens = expectTokenAnswer(created, 201);
      expect((await me(app.url, tokens.accessToken)).status).to.equal(200);

      expectThrottled(await login(app.url, email, GOOD_PASSWORD));
    });
  });

  describe('per-IP ceiling (password spraying)', () => {
    beforeEach(() => start());

    it('answers 429 to a fresh email once failures across many emails reach LOGIN_IP_MAX_FAILURES', async () => {
      const user = await register(app.url);
      for (let i = 1; i < IP_MAX_FAILURES; i++) await failTimes(uniqueEmail('spray'), 1);
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);

      await failTimes(uniqueEmail('spray'), 1);

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD), 'a known email with the right password');
      expectThrottled(await login(app.url, uniqueEmail('fresh'), WRONG_PASSWORD), 'a fresh email');
    });

    it('runs no bcrypt once the IP is over its ceiling', async () => {
      for (let i = 0; i < IP_MAX_FAILURES; i++) await failTimes(uniqueEmail('spray'), 1);
      const checked = hasher.verifies;
      for (let i = 0; i < 3; i++) expectThrottled(await login(app.url, uniqueEmail('fresh'), WRONG_PASSWORD));
      expect(hasher.verifies).to.equal(checked);
    });

    it('is not reset by a success', async () => {
      const user = await register(app.url);
      for (let i = 1; i < IP_MAX_FAILURES; i++) await failTimes(uniqueEmail('spray'), 1);
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);

      await failTimes(uniqueEmail('spray'), 1);

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD));
    });

    it('does not count 429s: retrying a throttled pair adds nothing to the IP’s failures', async () => {
      const user = await register(app.url);
      const hammered = await register(app.url);
      await failTimes(hammered.email, MAX_FAILURES);
      for (let i = 0; i < 2 * IP_MAX_FAILURES; i++) expectThrottled(await login(app.url, hammered.email, WRONG_PASSWORD), `retry ${i + 1}`);

      // 3 counted failures so far; 6 more make 9, still under the ceiling of 10.
      for (let i = 0; i < IP_MAX_FAILURES - MAX_FAILURES - 1; i++) await failTimes(uniqueEmail('spray'), 1);

      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD), 200);
      await failTimes(uniqueEmail('spray'), 1);
      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD), 'the 10th counted failure reaches the ceiling');
    });

    it('does not throttle registration once the IP is over its ceiling', async () => {
      for (let i = 0; i < IP_MAX_FAILURES; i++) await failTimes(uniqueEmail('spray'), 1);
      const email = uniqueEmail('newcomer');

      const tokens = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD } }), 201);

      expect((await me(app.url, tokens.accessToken)).status).to.equal(200);
      expectThrottled(await login(app.url, email, GOOD_PASSWORD), 'logins from the IP stay throttled');
    });
  });

  describe('POST /auth/password', () => {
    beforeEach(() => start());

    const changePassword = (accessToken: string, currentPassword: string) =>
      call(app.url, 'POST', '/auth/password', { json: { currentPassword, newPassword: NEW_PASSWORD }, headers: bearer(accessToken) });

    it('counts a wrong current password as a failed login for (the user’s email, IP)', async () => {
      const user = await register(app.url, uniqueEmail('changer'));
      const bystander = await register(app.url);
      for (let i = 0; i < MAX_FAILURES; i++) expectInvalidCredentials(await changePassword(user.accessToken, WRONG_PASSWORD), 'a wrong current password');

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD), 'login after wrong current passwords');
      expectTokenAnswer(await login(app.url, bystander.email, GOOD_PASSWORD), 200);
    });

    it('answers 429 when the pair is throttled, even with the right current password, without bcrypt, and changes nothing', async () => {
      const user = await register(app.url, uniqueEmail('changer'));
      await failTimes(user.email, MAX_FAILURES);
      const checked = hasher.verifies;

      expectThrottled(await changePassword(user.accessToken, GOOD_PASSWORD), 'password change');

      expect(hasher.verifies, 'bcrypt runs on a 429').to.equal(checked);
      expect((await me(app.url, user.accessToken)).status, 'the session was not ended by a password change').to.equal(200);
    });

    it('resets the pair when the current password is right', async () => {
      const user = await register(app.url, uniqueEmail('changer'));
      await failTimes(user.email, MAX_FAILURES - 1);
      expectTokenAnswer(await changePassword(user.accessToken, GOOD_PASSWORD), 200);
      await failTimes(user.email, MAX_FAILURES - 1);
      expectTokenAnswer(await login(app.url, user.email, NEW_PASSWORD), 200);
    });
  });

  describe('client IP', () => {
    it('ignores X-Forwarded-For without TRUST_PROXY: changing it does not escape the block', async () => {
      await start();
      const user = await register(app.url);
      for (let i = 0; i < MAX_FAILURES; i++) {
        expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
      }
      for (const xff of ['198.51.100.77', '203.0.113.9', '198.51.100.1, 203.0.113.9']) {
        expectThrottled(await login(app.url, user.email, GOOD_PASSWORD, { 'x-forwarded-for': xff }), `X-Forwarded-For: ${xff}`);
      }
      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD));
    });

    it('honours X-Forwarded-For with TRUST_PROXY=true: different addresses are different IPs', async () => {
      await start({ TRUST_PROXY: 'true' });
      const user = await register(app.url);
      await failTimes(user.email, MAX_FAILURES, from('198.51.100.1'));

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD, from('198.51.100.1')), 'the blocked address');
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD, from('198.51.100.2')), 200);
    });

    it('applies the per-IP ceiling to the forwarded address with TRUST_PROXY=true', async () => {
      await start({ TRUST_PROXY: 'true' });
      const user = await register(app.url);
      for (let i = 0; i < IP_MAX_FAILURES; i++) await failTimes(uniqueEmail('spray'), 1, { 'x-forwarded-for': '198.51.100.3' });

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD, { 'x-forwarded-for': '198.51.100.3' }));
      expectTokenAnswer(await login(app.url, user.email, GOOD_PASSWORD, { 'x-forwarded-for': '198.51.100.4' }), 200);
    });

    it('with TRUST_PROXY=true, takes the address the proxy appended, so a client cannot escape by prefixing X-Forwarded-For', async () => {
      await start({ TRUST_PROXY: 'true' });
      const user = await register(app.url);
      // The proxy in front appends the address it saw (203.0.113.7); whatever the client sent comes before it.
      const spoofed = (i: number) => ({ 'x-forwarded-for': `10.0.0.${i}, 203.0.113.7` });
      for (let i = 1; i <= MAX_FAILURES; i++) expectInvalidCredentials(await login(app.url, user.email, WRONG_PASSWORD, spoofed(i)));

      expectThrottled(await login(app.url, user.email, GOOD_PASSWORD, spoofed(99)), 'a new client-chosen prefix');
    });
  });
});
