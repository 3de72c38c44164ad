import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, GOOD_PASSWORD, uniqueEmail } from '../support/http.js';
import { decodeJwt, expectProblem, expectTokenAnswer, expectUser, expectValidationFailed, login, me, NO_THROTTLE, USER_KEYS } from './helpers.js';

describe('POST /auth/register', () => {
  let app: TestApp;
  before(async () => {
    // Far more registrations from one address than REGISTER_PER_IP_PER_HOUR allows (registration-throttling.test.ts tests it).
    app = await startTestApp({ env: NO_THROTTLE });
  });
  after(() => app.close());

  const registerRaw = (json: unknown) => call(app.url, 'POST', '/auth/register', { json });

  describe('success', () => {
    it('answers 201 with the user, both tokens, tokenType Bearer and expiresIn 900', async () => {
      const email = uniqueEmail('shape');
      const res = await registerRaw({ email, password: GOOD_PASSWORD, name: 'Ada Lovelace' });
      const body = expectTokenAnswer(res, 201);
      expect(body.expiresIn).to.equal(900);
      expect(Object.keys(body.user).sort()).to.deep.equal([...USER_KEYS].sort());
      expect(body.user.email).to.equal(email);
      expect(body.user.name).to.equal('Ada Lovelace');
      expect(body.user.githubLogin).to.equal(null);
      expect(Date.now() - Date.parse(body.user.createdAt)).to.be.within(-5_000, 60_000);
    });

    it('signs the user in at once: the access token reads /auth/me', async () => {
      const body = expectTokenAnswer(await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD }), 201);
      const res = await me(app.url, body.accessToken);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(body.user);
    });

    it('issues an access token with iss, aud, sub (the user id), sid, iat, exp and jti', async () => {
      const body = expectTokenAnswer(await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD }), 201);
      const { header, payload } = decodeJwt(body.accessToken);
      expect(header.alg).to.equal('HS256');
      expect(payload).to.include({ iss: 'auth-api', aud: 'auth-api', sub: body.user.id });
      expect(payload.sid).to.be.a('string').and.not.equal('');
      expect(payload.jti).to.be.a('string').and.not.equal('');
      expect(payload.exp - payload.iat).to.equal(900);
      expect(decodeJwt(body.refreshToken).payload.sid).to.equal(payload.sid);
    });

    it('answers name null when no name is given', async () => {
      const body = expectTokenAnswer(await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD }), 201);
      expect(body.user.name).to.equal(null);
    });

    it('never returns the password, its hash or any secret', async () => {
      const res = await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD });
      expectTokenAnswer(res, 201);
      expect(res.text).to.not.include(GOOD_PASSWORD);
    });
  });

  describe('emails', () => {
    it('trims and lower-cases the email', async () => {
      const local = uniqueEmail('Mixed.Case');
      const body = expectTokenAnswer(await registerRaw({ email: `  ${local.toUpperCase()}\t `, password: GOOD_PASSWORD }), 201);
      expect(body.user.email).to.equal(local.toLowerCase());
    });

    it('refuses a second account for the same email in another case with 409 EMAIL_ALREADY_REGISTERED', async () => {
      const email = uniqueEmail('dup');
      expectTokenAnswer(await registerRaw({ email, password: GOOD_PASSWORD }), 201);
      const res = await registerRaw({ email: `  ${email.toUpperCase()} `, password: 'another password' });
      expectProblem(res, 409, 'EMAIL_ALREADY_REGISTERED');
    });

    it('lets the owner sign in with the email in any case and surrounding whitespace', async () => {
      const email = uniqueEmail('anycase');
      expectTokenAnswer(await registerRaw({ email, password: GOOD_PASSWORD }), 201);
      expectTokenAnswer(await login(app.url, ` ${email.toUpperCase()}  `), 200);
    });

    it('accepts an email of exactly 254 characters after trimming', async () => {
      const domain = `@${uniqueEmail('d').replace('@', '.')}`;
      const email = `${'a'.repeat(254 - domain.length)}${domain}`;
      expect(email).to.have.length(254);
      const body = expectTokenAnswer(await registerRaw({ email: `   ${email}   `, password: GOOD_PASSWORD }), 201);
      expect(body.user.email).to.equal(email);
    });

    it('refuses an email of 255 characters with 400 naming email', async () => {
      const domain = '@example.com';
      const email = `${'b'.repeat(255 - domain.length)}${domain}`;
      expectValidationFailed(await registerRaw({ email, password: GOOD_PASSWORD }), ['email']);
    });

    it('refuses a string that is not an email address', async () => {
      for (const email of ['', '   ', 'no-at-sign', 'a@b', 'two@@example.com', 'sp ace@example.com']) {
        expectValidationFailed(await registerRaw({ email, password: GOOD_PASSWORD }), ['email']);
      }
    });
  });

  describe('passwords', () => {
    it('refuses 7 characters and accepts 8, counted in code points (emoji)', async () => {
      expectValidationFailed(await registerRaw({ email: uniqueEmail(), password: '😀'.repeat(7) }), ['password']);
      const email = uniqueEmail('emoji');
      expectTokenAnswer(await registerRaw({ email, password: '😀🦄'.repeat(4) }), 201);
      expectTokenAnswer(await login(app.url, email, '😀🦄'.repeat(4)), 200);
    });

    it('refuses 7 ASCII characters with 400 naming password', async () => {
      expectValidationFailed(await registerRaw({ email: uniqueEmail(), password: 'seven77' }), ['password']);
    });

    it('refuses a password over 72 bytes of UTF-8 with 400 instead of truncating it (25 × € = 75 bytes)', async () => {
      const password = '€'.repeat(25);
      expect(Buffer.byteLength(password)).to.equal(75);
      expectValidationFailed(await registerRaw({ email: uniqueEmail(), password }), ['password']);
    });

    it('refuses 73 ASCII bytes and accepts exactly 72 bytes (24 × €)', async () => {
      expectValidationFailed(await registerRaw({ email: uniqueEmail(), password: 'x'.repeat(73) }), ['password']);
      const email = uniqueEmail('72');
      expectTokenAnswer(await registerRaw({ email, password: '€₤'.repeat(12) }), 201);
      expectTokenAnswer(await login(app.url, email, '€₤'.repeat(12)), 200);
    });

    it('never trims a password: "  spaced pass  " does not log in as "spaced pass"', async () => {
      const email = uniqueEmail('spaced');
      expectTokenAnswer(await registerRaw({ email, password: '  spaced pass  ' }), 201);
      expectProblem(await login(app.url, email, 'spaced pass'), 401, 'INVALID_CREDENTIALS');
      expectTokenAnswer(await login(app.url, email, '  spaced pass  '), 200);
    });

    it('counts spaces towards the minimum length rather than trimming them away', async () => {
      const email = uniqueEmail('pad');
      expectTokenAnswer(await registerRaw({ email, password: '   ab   ' }), 201);
      expectTokenAnswer(await login(app.url, email, '   ab   '), 200);
    });

    it('refuses a password with a NUL (bcrypt stops there) with 400 naming password, and creates nothing', async () => {
      const email = uniqueEmail('nul');
      expectValidationFailed(await registerRaw({ email, password: 'password\u0000first' }), ['password']);
      expectTokenAnswer(await registerRaw({ email, password: GOOD_PASSWORD }), 201);
    });
  });

  describe('names', () => {
    it('accepts a name of 100 code points (emoji) and returns it unchanged', async () => {
      const name = '🦄'.repeat(100);
      const body = expectTokenAnswer(await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD, name }), 201);
      expect(body.user.name).to.equal(name);
    });

    it('refuses a name of 101 code points with 400 naming name', async () => {
      const res = await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD, name: 'n'.repeat(101) });
      expectValidationFailed(res, ['name']);
    });

    it('accepts name: null', async () => {
      const body = expectTokenAnswer(await registerRaw({ email: uniqueEmail(), password: GOOD_PASSWORD, name: null }), 201);
      expect(body.user.name).to.equal(null);
    });
  });

  describe('validation', () => {
    it('lists every failing field at once by its JSON property name', async () => {
      const res = await registerRaw({ email: 'nope', password: 'short', name: 'x'.repeat(101) });
      expectValidationFailed(res, ['email', 'password', 'name']);
    });

    it('names both required fields when the body is an empty object', async () => {
      expectValidationFailed(await registerRaw({}), ['email', 'password']);
    });

    it('refuses ill-typed fields (number, boolean, object, array) naming each', async () => {
      expectValidationFailed(await registerRaw({ email: 12345, password: true, name: 7 }), ['email', 'password', 'name']);
      expectValidationFailed(await registerRaw({ email: { $gt: '' }, password: ['a', 'b'] }), ['email', 'password']);
    });

    it('creates no account when validation fails', async () => {
      const email = uniqueEmail('novalid');
      expectValidationFailed(await registerRaw({ email, password: GOOD_PASSWORD, name: 'x'.repeat(101) }), ['name']);
      expectTokenAnswer(await registerRaw({ email, password: GOOD_PASSWORD }), 201);
    });

    for (const [what, body] of [
      ['an array', '[]'],
      ['an array of objects', '[{"email":"a@example.com","password":"correct horse"}]'],
      ['a string', '"hello"'],
      ['a number', '42'],
      ['null', 'null'],
      ['true', 'true'],
    ] as const) {
      it(`refuses a JSON body that is ${what} with a 400 problem`, async () => {
        const res = await call(app.url, 'POST', '/auth/register', { body, headers: { 'content-type': 'application/json' } });
        expectProblem(res, 400, ['VALIDATION_FAILED', 'INVALID_JSON']);
      });
    }

    it('ignores keys it does not know, and never lets a client set its own id or hash', async () => {
      const email = uniqueEmail('extra');
      const res = await registerRaw({ email, password: GOOD_PASSWORD, id: 'chosen-id', passwordHash: 'x', githubLogin: 'octocat' });
      const body = expectTokenAnswer(res, 201);
      expect(body.user.id).to.not.equal('chosen-id');
      expect(body.user.githubLogin).to.equal(null);
      expectUser(body.user);
    });
  });
});
