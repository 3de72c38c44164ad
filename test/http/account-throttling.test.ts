import { expect } from 'chai';
import { TOKENS } from '../../src/composition/tokens.js';
import type { TestApp } from '../support/app.js';
import { DATABASE_BACKENDS } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { call, GOOD_PASSWORD, uniqueEmail, type ApiResponse } from '../support/http.js';
import { expectProblem, expectTokenAnswer, login, type Problem } from './helpers.js';
import { CountingPasswordHasher, freshAddress, from } from '../support/throttling.js';

/**
 * docs/security.md, Throttling, per account (NIST SP 800-63B §5.2.2), tried as a botnet would: one
 * account, many addresses (TRUST_PROXY, each attempt its own X-Forwarded-For), unknown emails,
 * the owner at home during the lockout, bursts, and the counts exactly at the boundary.
 */

const ACCOUNT_MAX = 5;
const THIRTY_DAYS = 30 * 24 * 3600;
const WRONG_PASSWORD = 'not the password';



/** 429 TOO_MANY_ATTEMPTS with a Retry-After of whole seconds, at most the 30 days the failures are kept. */
function expectLockedOut(res: ApiResponse, label: string): Problem {
  const problem = expectProblem(res, 429, 'TOO_MANY_ATTEMPTS');
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter, `${label}: Retry-After`).to.match(/^[1-9]\d*$/);
  expect(Number(retryAfter), `${label}: Retry-After`).to.be.at.most(THIRTY_DAYS);
  return problem;
}

const expectInvalidCredentials = (res: ApiResponse, label: string) => {
  expect(res.status, `${label}: ${res.text}`).to.equal(401);
  expectProblem(res, 401, 'INVALID_CREDENTIALS');
};

for (const backend of DATABASE_BACKENDS) {
  describe(`per-account login bound (LOGIN_ACCOUNT_MAX_FAILURES=${ACCOUNT_MAX}) on ${backend.name}`, function () {
    this.timeout(30_000);

    let app: TestApp;
    let clock: FixedClock;
    let hasher: CountingPasswordHasher;
    let stop: (() => Promise<void>) | undefined;
    before(async function () {
      if (!(await backend.available())) this.skip();
      clock = new FixedClock(new Date());
      hasher = new CountingPasswordHasher();
      ({ app, stop } = await backend.start({
        clock,
        env: {
          TRUST_PROXY: 'true',
          LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX),
          LOGIN_MAX_FAILURES: '3',
          LOGIN_IP_MAX_FAILURES: '100',
          REGISTER_PER_IP_PER_HOUR: '1000',
        },
        override: (c) => c.register(TOKENS.PasswordHasher, { useValue: hasher }),
      }));
    });
    after(async () => {
      if (stop) await stop();
    });

    /** An account registered from `home`. */
    const registeredFrom = async (home: string): Promise<string> => {
      const email = uniqueEmail('owner');
      expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: from(home) }), 201);
      return email;
    };

    /** `times` wrong passwords for the email, each from a fresh address: every one checked and refused. */
    const failFromBotnet = async (email: string, times: number) => {
      for (let i = 1; i <= times; i++) expectInvalidCredentials(await login(app.url, email, WRONG_PASSWORD, from(freshAddress())), `failure ${i}`);
    };

    it(`answers 429 with Retry-After to every fresh address after ${ACCOUNT_MAX} failures from ${ACCOUNT_MAX} addresses, even with the right password, before any bcrypt work`, async () => {
      const email = await registeredFrom(freshAddress());
      await failFromBotnet(email, ACCOUNT_MAX);
      const checked = hasher.verifies;

      expectLockedOut(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), 'the right password');
      expectLockedOut(await login(app.url, email, WRONG_PASSWORD, from(freshAddress())), 'a wrong password');
      expectLockedOut(await call(app.url, 'POST', '/auth/login', { headers: { ...from(freshAddress()), authorization: `Basic ${Buffer.from(`${email}:${GOOD_PASSWORD}`).toString('base64')}` } }), 'Basic');

      expect(hasher.verifies, 'bcrypt ran on a 429').to.equal(checked);
      expectTokenAnswer(await login(app.url, await registeredFrom(freshAddress()), GOOD_PASSWORD, from(freshAddress())), 200);
    });

    it(`checks the ${ACCOUNT_MAX}th attempt: ${ACCOUNT_MAX - 1} failures, then a success from a fresh address starts the count again`, async () => {
      const email = await registeredFrom(freshAddress());
      await failFromBotnet(email, ACCOUNT_MAX - 1);

      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), 200);

      await failFromBotnet(email, ACCOUNT_MAX);
      expectLockedOut(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), `after ${ACCOUNT_MAX} failures since the success`);
    });

    it('counts an unknown email exactly like a registered one: the same 429, after the same failures', async () => {
      const known = await registeredFrom(freshAddress());
      const unknown = uniqueEmail('nobody');
      await failFromBotnet(known, ACCOUNT_MAX);
      await failFromBotnet(unknown, ACCOUNT_MAX);

      const forKnown = expectLockedOut(await login(app.url, known, WRONG_PASSWORD, from(freshAddress())), 'registered');
      const forUnknown = expectLockedOut(await login(app.url, unknown, WRONG_PASSWORD, from(freshAddress())), 'unknown');

      expect({ ...forUnknown, detail: '' }).to.deep.equal({ ...forKnown, detail: '' });
    });

    it('lets the owner sign in from the address it registered from during the lockout, and that success lets every address in again', async () => {
      const home = freshAddress();
      const email = await registeredFrom(home);
      await failFromBotnet(email, ACCOUNT_MAX);
      expectLockedOut(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), 'a fresh address');

      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, from(home)), 200);

      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), 200);
    });

    it(`keeps a botnet of 23 addresses to ${ACCOUNT_MAX} checked guesses out of 115, while the owner signs in from an address it signed in from before`, async () => {
      const email = await registeredFrom(freshAddress());
      const laptop = freshAddress();
      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, from(laptop)), 200);
      const botnet = Array.from({ length: 23 }, freshAddress);
      const checked = hasher.verifies;

      const statuses: number[] = [];
      for (let round = 0; round < 5; round++) {
        for (const ip of botnet) statuses.push((await login(app.url, email, WRONG_PASSWORD, from(ip))).status);
      }

      expect(statuses.filter((s) => s === 401), 'checked and refused').to.have.length(ACCOUNT_MAX);
      expect(statuses.filter((s) => s === 429), 'refused unchecked').to.have.length(115 - ACCOUNT_MAX);
      expect(hasher.verifies - checked, 'bcrypt checks').to.equal(ACCOUNT_MAX);
      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, from(laptop)), 200);
    });

    it(`checks exactly ${ACCOUNT_MAX} passwords when 30 attempts from 30 addresses arrive at once (a burst)`, async () => {
      const email = await registeredFrom(freshAddress());
      const checked = hasher.verifies;

      const answers = await Promise.all(Array.from({ length: 30 }, () => login(app.url, email, WRONG_PASSWORD, from(freshAddress()))));

      expect(answers.filter((r) => r.status === 401), 'checked').to.have.length(ACCOUNT_MAX);
      for (const res of answers.filter((r) => r.status !== 401)) expectLockedOut(res, 'the rest');
      expect(hasher.verifies - checked).to.equal(ACCOUNT_MAX);
      expectLockedOut(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), 'the right password afterwards');
    });

    it('still binds the owner’s address by its own (email, IP) pair limit', async () => {
      const home = freshAddress();
      const email = await registeredFrom(home);
      for (let i = 0; i < 3; i++) expectInvalidCredentials(await login(app.url, email, WRONG_PASSWORD, from(home)), `home failure ${i + 1}`);

      expectProblem(await login(app.url, email, GOOD_PASSWORD, from(home)), 429, 'TOO_MANY_ATTEMPTS');
    });

    it('forgets the owner’s address 30 days after its last success there', async () => {
      const home = freshAddress();
      const email = await registeredFrom(home);
      clock.advance(THIRTY_DAYS);
      await failFromBotnet(email, ACCOUNT_MAX);

      expectLockedOut(await login(app.url, email, GOOD_PASSWORD, from(home)), 'home, 30 days after the registration');
    });
  });
}
