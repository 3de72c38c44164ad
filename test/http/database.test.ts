import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase, DATABASE_BACKENDS } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { call, GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import {
  decodeJwt,
  expectInvalidToken,
  expectProblem,
  expectTokenAnswer,
  login,
  logout,
  me,
  refresh,
  type TokenAnswer,
} from './helpers.js';

for (const backend of DATABASE_BACKENDS) {
  describe(`end to end on ${backend.name}`, function () {
    this.timeout(20_000);

    let app: TestApp;
    let clock: FixedClock;
    let stop: () => Promise<void>;
    before(async function () {
      if (!(await backend.available())) this.skip();
      clock = new FixedClock(new Date());
      ({ app, stop } = await backend.start({ clock }));
    });
    after(async () => {
      if (stop) await stop();
    });

    it('registers, logs in, refreshes, detects reuse, logs out, and reads /auth/me along the way', async () => {
      const email = uniqueEmail('e2e');
      const reg = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD, name: 'Grace' } }), 201);
      expect(reg.user.email).to.equal(email);
      expectProblem(await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD } }), 409, 'EMAIL_ALREADY_REGISTERED');

      const meAnswer = await me(app.url, reg.accessToken);
      expect(meAnswer.status).to.equal(200);
      expect(meAnswer.body, 'the user reads back exactly as registered').to.deep.equal(reg.user);

      expectProblem(await login(app.url, email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
      const session = expectTokenAnswer(await login(app.url, email.toUpperCase()), 200);
      expect(session.user).to.deep.equal(reg.user);

      // Rotation, then a retry within the grace window gets the same successor.
      const second = expectTokenAnswer(await refresh(app.url, session.refreshToken), 200);
      clock.advance(2);
      const retried = expectTokenAnswer(await refresh(app.url, session.refreshToken), 200);
      expect(decodeJwt(retried.refreshToken).payload.jti).to.equal(decodeJwt(second.refreshToken).payload.jti);

      // After the grace window, the replaced token is reuse: the family dies.
      const third = expectTokenAnswer(await refresh(app.url, second.refreshToken), 200);
      clock.advance(11);
      expectInvalidToken(await refresh(app.url, second.refreshToken));
      expectInvalidToken(await refresh(app.url, third.refreshToken));
      expectInvalidToken(await me(app.url, third.accessToken));

      // The registration session was never touched; logging it out ends it, access token included.
      expect((await me(app.url, reg.accessToken)).status).to.equal(200);
      expect((await logout(app.url, reg.refreshToken)).status).to.equal(204);
      expectInvalidToken(await me(app.url, reg.accessToken));
      expectInvalidToken(await refresh(app.url, reg.refreshToken));

      // A sign-in in the same second afterwards works.
      const again = expectTokenAnswer(await login(app.url, email), 200);
      expect((await me(app.url, again.accessToken)).status).to.equal(200);
    });

    it('gives 10 concurrent refreshes of one token all 200 and one identical successor (grace on)', async () => {
      const reg = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email: uniqueEmail('conc'), password: GOOD_PASSWORD } }), 201);
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(app.url, reg.refreshToken)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(10).fill(200));
      const jtis = new Set(answers.map((a) => decodeJwt((a.body as TokenAnswer).refreshToken).payload.jti));
      expect(jtis.size).to.equal(1);
      expectTokenAnswer(await refresh(app.url, (answers[0]?.body as TokenAnswer).refreshToken), 200);
    });

    it('stores limits round trip: a 254-character email, a 100-emoji name, an 8-emoji password', async () => {
      const domain = `@${uniqueEmail('d').replace('@', '.')}`;
      const email = `${'a'.repeat(254 - domain.length)}${domain}`;
      const name = '🦄'.repeat(100);
      const password = '😀🦄'.repeat(4);
      const reg = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email, password, name } }), 201);
      expect(reg.user).to.include({ email, name });
      expect((await me(app.url, reg.accessToken)).body).to.deep.equal(reg.user);
      expectTokenAnswer(await login(app.url, email, password), 200);
    });

    it('keeps accounts apart whose emails differ only by accents (unique case-insensitively, not accent-insensitively)', async () => {
      const tag = Date.now().toString(36);
      const accented = `josé.${tag}@example.com`;
      const plain = `jose.${tag}@example.com`;
      const first = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email: accented, password: 'accented password' } }), 201);
      const second = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email: plain, password: 'plain password!' } }), 201);
      expect(second.user.id).to.not.equal(first.user.id);
      expect(expectTokenAnswer(await login(app.url, plain, 'plain password!'), 200).user.id).to.equal(second.user.id);
      expectProblem(await login(app.url, plain, 'accented password'), 401, 'INVALID_CREDENTIALS');
    });

    it('stores odd but well-formed input without a 500: NUL, lone surrogates, a long multi-byte User-Agent', async () => {
      const tag = Date.now().toString(36);
      for (const [email, name] of [
        [`nul\u0000.${tag}@example.com`, 'nul\u0000name'],
        [`lone.${tag}@example.com`, 'half \ud83d pair'],
        [`emoji.${tag}@exämple.com`, '👩‍👩‍👧‍👦'.repeat(10)],
      ] as const) {
        const res = await call(app.url, 'POST', '/auth/register', {
          json: { email, password: GOOD_PASSWORD, name },
          headers: { 'user-agent': `${'é'.repeat(200)}${'x'.repeat(300)}` },
        });
        expect(res.status, `${JSON.stringify(email)} -> ${res.text}`).to.be.oneOf([201, 400]);
        if (res.status === 400) expectProblem(res, 400, 'VALIDATION_FAILED');
      }
    });

    it('answers /readyz 200 while the database answers', async () => {
      expect((await call(app.url, 'GET', '/readyz')).status).to.equal(200);
    });
  });

  describe(`without grace on ${backend.name}`, function () {
    this.timeout(20_000);

    let app: TestApp;
    let stop: () => Promise<void>;
    before(async function () {
      if (!(await backend.available())) this.skip();
      ({ app, stop } = await backend.start({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } }));
    });
    after(async () => {
      if (stop) await stop();
    });

    it('lets exactly one of 10 concurrent refreshes of one token succeed', async () => {
      const reg = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email: uniqueEmail('conc0'), password: GOOD_PASSWORD } }), 201);
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(app.url, reg.refreshToken)));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, ...Array(9).fill(401)]);
      for (const a of answers.filter((x) => x.status === 401)) expectInvalidToken(a);
    });
  });
}

describe('readiness on a database that does not answer', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ persistence: 'database', env: { DATABASE_URL: 'mysql://nobody@127.0.0.1:1/nothing' } });
  });
  after(async () => {
    await app.close();
    await appDatabase(app).destroy();
  });

  it('answers /readyz with a 503 problem, not a 500', async () => {
    expectProblem(await call(app.url, 'GET', '/readyz'), 503, 'SERVICE_UNAVAILABLE');
  });

  it('answers a login with 503, never a 500 or a driver message', async () => {
    expectProblem(await login(app.url, uniqueEmail(), GOOD_PASSWORD), 503, 'SERVICE_UNAVAILABLE');
  });
});
