import { expect } from 'chai';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase, DATABASE_BACKENDS } from '../support/backends.js';
import { call, GOOD_PASSWORD, uniqueEmail, type ApiResponse } from '../support/http.js';
import { expectProblem, expectTokenAnswer, login } from './helpers.js';
import { CountingPasswordHasher, freshAddress, from } from '../support/throttling.js';

/**
 * docs/security.md, Throttling: at most REGISTER_PER_IP_PER_HOUR registration attempts per client IP
 * (successes, 409s and 400s alike), then 429 TOO_MANY_ATTEMPTS with Retry-After before bcrypt
 * runs. Tried as a mass sign-up would: every kind of attempt, at the boundary, at once, and from
 * other addresses (TRUST_PROXY, X-Forwarded-For).
 */

const PER_HOUR = 5;



/** 429 TOO_MANY_ATTEMPTS with a Retry-After of whole seconds within the hour. */
function expectThrottled(res: ApiResponse, label: string): void {
  expectProblem(res, 429, 'TOO_MANY_ATTEMPTS');
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter, `${label}: Retry-After`).to.match(/^[1-9]\d*$/);
  expect(Number(retryAfter), `${label}: Retry-After`).to.be.at.most(3600);
}

for (const backend of DATABASE_BACKENDS) {
  describe(`registration throttling (REGISTER_PER_IP_PER_HOUR=${PER_HOUR}) on ${backend.name}`, function () {
    this.timeout(30_000);

    let app: TestApp;
    let hasher: CountingPasswordHasher;
    let stop: (() => Promise<void>) | undefined;
    before(async function () {
      if (!(await backend.available())) this.skip();
      hasher = new CountingPasswordHasher();
      ({ app, stop } = await backend.start({
        env: { TRUST_PROXY: 'true', REGISTER_PER_IP_PER_HOUR: String(PER_HOUR) },
        override: (c) => c.register(TOKENS.PasswordHasher, { useValue: hasher }),
      }));
    });
    after(async () => {
      if (stop) await stop();
    });

    const registerFrom = (ip: string, json: unknown) => call(app.url, 'POST', '/auth/register', { json, headers: from(ip) });
    const users = async (): Promise<number> => Number((await appDatabase(app)('users').count({ n: '*' }).first())?.n);

    it(`counts 201s, 409s and 400s alike: the ${PER_HOUR + 1}th attempt answers 429 with Retry-After, runs no bcrypt and creates nothing`, async () => {
      const ip = freshAddress();
      const taken = uniqueEmail('taken');
      expectTokenAnswer(await registerFrom(ip, { email: taken, password: GOOD_PASSWORD }), 201);
      expectProblem(await registerFrom(ip, { email: taken, password: GOOD_PASSWORD }), 409, 'EMAIL_ALREADY_REGISTERED');
      expectProblem(await registerFrom(ip, { email: 'not an email', password: GOOD_PASSWORD }), 400, 'VALIDATION_FAILED');
      expectProblem(await registerFrom(ip, { email: 5, password: ['x'] }), 400, 'VALIDATION_FAILED');
      expectProblem(await registerFrom(ip, []), 400, 'VALIDATION_FAILED');
      const hashes = hasher.hashes;
      const before = await users();
      const email = uniqueEmail('refused');

      for (let i = 0; i < 3; i++) expectThrottled(await registerFrom(ip, { email, password: GOOD_PASSWORD }), `attempt ${PER_HOUR + 1 + i}`);
      expectThrottled(await registerFrom(ip, { email: 5 }), 'a malformed attempt past the limit');

      expect(hasher.hashes, 'bcrypt ran for a 429').to.equal(hashes);
      expect(await users(), 'accounts created').to.equal(before);
      expectProblem(await login(app.url, email, GOOD_PASSWORD, from(freshAddress())), 401, 'INVALID_CREDENTIALS');
    });

    it(`lets the ${PER_HOUR}th attempt through: the limit is ${PER_HOUR}, not fewer`, async () => {
      const ip = freshAddress();
      for (let i = 1; i < PER_HOUR; i++) expectProblem(await registerFrom(ip, { email: uniqueEmail(), password: 'short' }), 400, 'VALIDATION_FAILED');

      expectTokenAnswer(await registerFrom(ip, { email: uniqueEmail(), password: GOOD_PASSWORD }), 201);

      expectThrottled(await registerFrom(ip, { email: uniqueEmail(), password: GOOD_PASSWORD }), 'the next one');
    });

    it('counts per client address: another address registers, and the throttled address still signs in', async () => {
      const ip = freshAddress();
      const email = uniqueEmail('early');
      expectTokenAnswer(await registerFrom(ip, { email, password: GOOD_PASSWORD }), 201);
      for (let i = 1; i < PER_HOUR; i++) await registerFrom(ip, { email, password: GOOD_PASSWORD });
      expectThrottled(await registerFrom(ip, { email: uniqueEmail(), password: GOOD_PASSWORD }), 'the throttled address');

      expectTokenAnswer(await registerFrom(freshAddress(), { email: uniqueEmail(), password: GOOD_PASSWORD }), 201);
      expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, from(ip)), 200);
    });

    it(`creates exactly ${PER_HOUR} accounts when 15 registrations from one address arrive at once`, async () => {
      const ip = freshAddress();
      const before = await users();

      const answers = await Promise.all(Array.from({ length: 15 }, () => registerFrom(ip, { email: uniqueEmail('burst'), password: GOOD_PASSWORD })));

      expect(answers.filter((r) => r.status === 201), 'created').to.have.length(PER_HOUR);
      for (const res of answers.filter((r) => r.status !== 201)) expectThrottled(res, 'the rest');
      expect(await users()).to.equal(before + PER_HOUR);
    });
  });
}

describe('registration throttling by default (REGISTER_PER_IP_PER_HOUR unset: 30)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('answers the 31st registration attempt from one address with 429, after 30 refused ones', async () => {
    for (let i = 1; i <= 30; i++) expectProblem(await call(app.url, 'POST', '/auth/register', { json: { email: 'bad' } }), 400, 'VALIDATION_FAILED');

    expectThrottled(await call(app.url, 'POST', '/auth/register', { json: { email: uniqueEmail(), password: GOOD_PASSWORD } }), 'the 31st');
  });
});
