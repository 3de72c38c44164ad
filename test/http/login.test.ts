import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { basic, decodeJwt, expectProblem, expectTokenAnswer, expectValidationFailed, login, me, median, NO_THROTTLE } from './helpers.js';

describe('POST /auth/login', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: NO_THROTTLE });
  });
  after(() => app.close());

  const loginWith = (options: { json?: unknown; headers?: Record<string, string> }) => call(app.url, 'POST', '/auth/login', options);

  describe('with a JSON body', () => {
    it('answers 200 with the user and a fresh token pair', async () => {
      const r = await register(app.url);
      const body = expectTokenAnswer(await login(app.url, r.email), 200);
      expect(body.expiresIn).to.equal(900);
      expect(body.user.id).to.equal(r.user.id);
      expect(body.user.email).to.equal(r.email);
      expect((await me(app.url, body.accessToken)).status).to.equal(200);
    });

    it('starts a new session at each sign-in (a new sid, distinct from the registration one)', async () => {
      const r = await register(app.url);
      const first = expectTokenAnswer(await login(app.url, r.email), 200);
      const second = expectTokenAnswer(await login(app.url, r.email), 200);
      const sids = [r.accessToken, first.accessToken, second.accessToken].map((t) => decodeJwt(t).payload.sid);
      expect(new Set(sids).size).to.equal(3);
    });
  });

  describe('with Authorization: Basic', () => {
    it('signs in with UTF-8 email:password, the password itself containing colons', async () => {
      const email = uniqueEmail('basic');
      const password = 'pa:ss:wörd 🔑';
      await register(app.url, email, password);
      const body = expectTokenAnswer(await loginWith({ headers: basic(email, password) }), 200);
      expect(body.user.email).to.equal(email);
    });

    it('lets the header win over the body', async () => {
      const r = await register(app.url);
      const other = await register(app.url);
      const res = await loginWith({ headers: basic(r.email, r.password), json: { email: other.email, password: other.password } });
      expect(expectTokenAnswer(res, 200).user.id).to.equal(r.user.id);
    });

    it('refuses wrong credentials in the header even when the body holds right ones', async () => {
      const r = await register(app.url);
      const res = await loginWith({ headers: basic(r.email, 'wrong password'), json: { email: r.email, password: r.password } });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    });

    it('answers 400 when the decoded header has no colon', async () => {
      const r = await register(app.url);
      const headers = { authorization: `Basic ${Buffer.from(`${r.email}${r.password}`).toString('base64')}` };
      expectProblem(await loginWith({ headers }), 400, 'VALIDATION_FAILED');
    });

    it('answers 400, not 500, for a Basic header that is not base64', async () => {
      for (const authorization of ['Basic', 'Basic ***', 'Basic a b c', 'Basic ' + '%'.repeat(50)]) {
        const res = await loginWith({ headers: { authorization } });
        expectProblem(res, 400);
      }
    });

    it('answers 400 when the header holds an empty email or password', async () => {
      expectProblem(await loginWith({ headers: basic('', GOOD_PASSWORD) }), 400, 'VALIDATION_FAILED');
      expectProblem(await loginWith({ headers: basic(uniqueEmail(), '') }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('failures', () => {
    it('answers 401 INVALID_CREDENTIALS with the very same body for an unknown email and a wrong password', async () => {
      const r = await register(app.url);
      const unknown = await login(app.url, uniqueEmail('nobody'), r.password);
      const wrong = await login(app.url, r.email, 'not the password');
      expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
      expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
      expect(unknown.text).to.equal(wrong.text);
      expect(unknown.body).to.deep.equal(wrong.body);
      expect(unknown.headers.get('www-authenticate')).to.equal(wrong.headers.get('www-authenticate'));
      expect(unknown.headers.get('content-type')).to.equal(wrong.headers.get('content-type'));
    });

    it('answers the same for a malformed email as for an unknown one (no validation oracle at login)', async () => {
      const unknown = await login(app.url, uniqueEmail('nobody'), GOOD_PASSWORD);
      const malformed = await login(app.url, 'not-an-email', GOOD_PASSWORD);
      expectProblem(malformed, 401, 'INVALID_CREDENTIALS');
      expect(malformed.text).to.equal(unknown.text);
    });

    it('never logs in with a password over 72 bytes, even when its first 72 bytes are the password', async () => {
      const email = uniqueEmail('long');
      const password = 'pq'.repeat(36);
      await register(app.url, email, password);
      expectProblem(await login(app.url, email, `${password}x`), 401, 'INVALID_CREDENTIALS');
      expectProblem(await loginWith({ headers: basic(email, `${password}tail`) }), 401, 'INVALID_CREDENTIALS');
      expectTokenAnswer(await login(app.url, email, password), 200);
    });

    it('never logs in with 25 × €/₤ (75 bytes) when the account holds its first 72 bytes (24 of them)', async () => {
      const email = uniqueEmail('euro');
      await register(app.url, email, '€₤'.repeat(12));
      expectProblem(await login(app.url, email, `${'€₤'.repeat(12)}€`), 401, 'INVALID_CREDENTIALS');
    });

    it('answers 400 naming each missing field', async () => {
      expectValidationFailed(await loginWith({ json: {} }), ['email', 'password']);
      expectValidationFailed(await loginWith({ json: { email: uniqueEmail() } }), ['password']);
      expectValidationFailed(await loginWith({ json: { password: GOOD_PASSWORD } }), ['email']);
    });

    it('answers 400 naming each ill-typed field', async () => {
      expectValidationFailed(await loginWith({ json: { email: 42, password: { a: 1 } } }), ['email', 'password']);
      expectValidationFailed(await loginWith({ json: { email: [uniqueEmail()], password: null } }), ['email', 'password']);
      expectValidationFailed(await loginWith({ json: { email: uniqueEmail(), password: '' } }), ['password']);
    });

    it('answers 400 when there is no body at all', async () => {
      expectProblem(await call(app.url, 'POST', '/auth/login'), 400, 'VALIDATION_FAILED');
    });

    for (const [what, body] of [
      ['an array', '[]'],
      ['a string', '"a@example.com:password"'],
      ['a number', '1'],
      ['null', 'null'],
    ] as const) {
      it(`answers 400 for a JSON body that is ${what}`, async () => {
        const res = await call(app.url, 'POST', '/auth/login', { body, headers: { 'content-type': 'application/json' } });
        expectProblem(res, 400, ['VALIDATION_FAILED', 'INVALID_JSON']);
      });
    }
  });

  describe('timing (no enumeration by timing)', () => {
    // At the tests' default BCRYPT_COST of 4 a hash costs about as much as the HTTP round trip,
    // so a missing dummy hash would hide in the noise; cost 8 makes the test able to fail (~1 s).
    let slow: TestApp;
    before(async () => {
      slow = await startTestApp({ env: { ...NO_THROTTLE, BCRYPT_COST: '8' } });
    });
    after(() => slow.close());

    it('takes the same time for an unknown email as for a wrong password (medians within a factor of 2)', async function () {
      this.timeout(20_000);
      const url = slow.url;
      const r = await register(url);
      // Warm both paths first (the dummy hash of the unknown-email path is made lazily).
      for (let i = 0; i < 3; i++) {
        await login(url, uniqueEmail('warm'), 'wrong password');
        await login(url, r.email, 'wrong password');
      }
      const unknown: number[] = [];
      const wrong: number[] = [];
      const time = async (email: string, into: number[]) => {
        const start = process.hrtime.bigint();
        const res = await login(url, email, 'wrong password');
        into.push(Number(process.hrtime.bigint() - start) / 1e6);
        expect(res.status).to.equal(401);
      };
      for (let i = 0; i < 15; i++) {
        await time(uniqueEmail('ghost'), unknown);
        await time(r.email, wrong);
      }
      const [a, b] = [median(unknown), median(wrong)];
      const ratio = Math.max(a, b) / Math.min(a, b);
      expect(ratio, `medians: unknown ${a.toFixed(2)} ms, wrong password ${b.toFixed(2)} ms`).to.be.below(2);
    });
  });
});
