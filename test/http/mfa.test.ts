import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase, DATABASE_BACKENDS, MEMORY_BACKEND } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { totpCodeAt } from '../support/totp.js';
import { bearer, call, GOOD_PASSWORD, register, type ApiResponse } from '../support/http.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';
import { decodeJwt, expectProblem, expectTokenAnswer, expectValidationFailed, login, me, refresh } from './helpers.js';
import { COOKIE_MODE, CookieJar, expectCookieModeAnswer, expectSessionCookies } from './web-client.js';

const MEMORY = MEMORY_BACKEND;

/** A code as the user's authenticator app shows it at `at` (RFC 6238: SHA-1, 6 digits, 30 s). */
const codeAt = totpCodeAt;

interface MfaRequired {
  readonly mfaToken: string;
  readonly methods: string[];
}

const expectMfaRequired = (res: ApiResponse): MfaRequired => {
  const problem = expectProblem(res, 401, 'MFA_REQUIRED') as unknown as MfaRequired & Record<string, unknown>;
  expect(problem.mfaToken).to.be.a('string').and.match(/^[A-Za-z0-9_-]{43}$/);
  expect(res.text, 'no token or session in an MFA_REQUIRED answer').to.not.match(/accessToken|refreshToken/);
  expect(res.headers.getSetCookie()).to.deep.equal([]);
  expect(res.headers.get('cache-control') ?? '').to.match(/no-store/);
  return problem;
};

for (const backend of [MEMORY, ...DATABASE_BACKENDS]) {
  describe(`TOTP and the MFA step over HTTP on ${backend.name}`, function () {
    this.timeout(20_000);
    let app: TestApp;
    let clock: FixedClock;
    let stop: (() => Promise<void>) | undefined;

    before(async function () {
      if (!(await backend.available())) this.skip();
      clock = new FixedClock(new Date());
      ({ app, stop } = await backend.start({ clock }));
    });
    after(async () => {
      if (stop) await stop();
    });

    const post = (path: string, json?: unknown, headers: Record<string, string> = {}) => call(app.url, 'POST', path, { ...(json === undefined ? {} : { json }), headers });
    const verify = (mfaToken: string, code: string, headers: Record<string, string> = {}) => post('/auth/mfa/verify', { mfaToken, code }, headers);
    /** Moves to the start of the next 30-second step, so a fresh code is not a replay of the last one. */
    const nextStep = () => clock.advance(30 - (Math.floor(clock.now().getTime() / 1000) % 30));

    /** A new account with TOTP on: its secret and recovery codes. */
    async function userWithTotp() {
      const account = await register(app.url);
      const start = await post('/auth/mfa/totp', {}, bearer(account.accessToken));
      expect(start.status, start.text).to.equal(200);
      const { secret } = start.body as { secret: string };
      const confirm = await post('/auth/mfa/totp/confirm', { code: await codeAt(secret, clock.now()) }, bearer(account.accessToken));
      expect(confirm.status, confirm.text).to.equal(200);
      nextStep();
      return { ...account, secret, recoveryCodes: (confirm.body as { recoveryCodes: string[] }).recoveryCodes };
    }

    describe('enrolment', () => {
      it('POST /auth/mfa/totp answers a base32 secret and its otpauth URL (issuer APP_NAME), pending until confirmed', async () => {
        const account = await register(app.url);
        const res = await post('/auth/mfa/totp', undefined, bearer(account.accessToken));
        expect(res.status, res.text).to.equal(200);
        expect(res.headers.get('cache-control')).to.match(/no-store/);
        const { secret, otpauthUrl } = res.body as { secret: string; otpauthUrl: string };
        expect(secret).to.match(/^[A-Z2-7]{32}$/);
        const url = new URL(otpauthUrl);
        expect(url.protocol).to.equal('otpauth:');
        expect(url.host).to.equal('totp');
        expect(url.searchParams.get('secret')).to.equal(secret);
        expect(url.searchParams.get('issuer')).to.equal('auth-api');
        expect(decodeURIComponent(url.pathname)).to.contain(account.email);
        // Pending: the user object says off, and the password alone still signs in.
        expect((await me(app.url, account.accessToken)).body.mfa).to.deep.equal({ totp: false, passkeys: 0 });
        expectTokenAnswer(await login(app.url, account.email), 200);
      });

      it('a code confirms it: 200 with 10 distinct recovery codes, shown once; the user object says totp: true', async () => {
        const account = await register(app.url);
        const { secret } = (await post('/auth/mfa/totp', {}, bearer(account.accessToken))).body as { secret: string };
        expectProblem(await post('/auth/mfa/totp/confirm', { code: '000000' === (await codeAt(secret, clock.now())) ? '111111' : '000000' }, bearer(account.accessToken)), 401, 'MFA_CODE_INVALID');
        const res = await post('/auth/mfa/totp/confirm', { code: await codeAt(secret, clock.now()) }, bearer(account.accessToken));
        expect(res.status, res.text).to.equal(200);
        const { recoveryCodes } = res.body as { recoveryCodes: string[] };
        expect(recoveryCodes).to.have.length(10);
        expect(new Set(recoveryCodes).size).to.equal(10);
        for (const code of recoveryCodes) expect(code).to.match(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
        expect((await me(app.url, account.accessToken)).body.mfa).to.deep.equal({ totp: true, passkeys: 0 });
        expectProblem(await post('/auth/mfa/totp', {}, bearer(account.accessToken)), 409, 'TOTP_ALREADY_ENABLED');
        expectProblem(await post('/auth/mfa/totp/confirm', { code: await codeAt(secret, clock.now()) }, bearer(account.accessToken)), 409, 'TOTP_ALREADY_ENABLED');
      });

      it('confirming with nothing pending is 409 TOTP_NOT_ENABLED; a missing code is 400; no token is 401', async () => {
        const account = await register(app.url);
        expectProblem(await post('/auth/mfa/totp/confirm', { code: '123456' }, bearer(account.accessToken)), 409, 'TOTP_NOT_ENABLED');
        expectValidationFailed(await post('/auth/mfa/totp/confirm', {}, bearer(account.accessToken)), ['code']);
        expectProblem(await post('/auth/mfa/totp', {}), 401, 'TOKEN_MISSING');
      });

      it('needs a sign-in of the last 10 minutes, or the current password (a wrong one is 401)', async () => {
        const account = await register(app.url);
        clock.advance(11 * 60);
        expectProblem(await post('/auth/mfa/totp', {}, bearer(account.accessToken)), 403, 'RECENT_SIGN_IN_REQUIRED');
        expectProblem(await post('/auth/mfa/totp', { currentPassword: 'not the password' }, bearer(account.accessToken)), 401, 'INVALID_CREDENTIALS');
        const res = await post('/auth/mfa/totp', { currentPassword: GOOD_PASSWORD }, bearer(account.accessToken));
        expect(res.status, res.text).to.equal(200);
      });

      it('keeps the secret sealed at rest: the stored value is not the secret and names no part of it', async function () {
        if (backend === MEMORY) this.skip();
        const account = await register(app.url);
        const { secret } = (await post('/auth/mfa/totp', {}, bearer(account.accessToken))).body as { secret: string };
        const row = (await appDatabase(app)('totp_factors').where({ user_id: account.user.id }).first()) as { sealed_secret: string };
        expect(row.sealed_secret).to.match(/^v1\./);
        expect(row.sealed_secret).to.not.contain(secret);
        expect(Buffer.from(row.sealed_secret.split('.')[3] ?? '', 'base64url').toString('latin1')).to.not.contain(secret.slice(0, 8));
      });
    });

    describe('sign-in with TOTP on', () => {
      it('the right password answers 401 MFA_REQUIRED (mfaToken, methods); a code completes it with amr pwd+otp, kept on refresh', async () => {
        const user = await userWithTotp();
        const required = expectMfaRequired(await login(app.url, user.email));
        expect(required.methods).to.deep.equal(['totp', 'recovery_code']);
        const body = expectTokenAnswer(await verify(required.mfaToken, await codeAt(user.secret, clock.now())), 200);
        expect(body.user.mfa).to.deep.equal({ totp: true, passkeys: 0 });
        expect(decodeJwt(body.accessToken).payload.amr).to.deep.equal(['pwd', 'otp']);
        const refreshed = expectTokenAnswer(await refresh(app.url, body.refreshToken), 200);
        expect(decodeJwt(refreshed.accessToken).payload.amr).to.deep.equal(['pwd', 'otp']);
      });

      it('a password-only sign-in carries amr ["pwd"]', async () => {
        const account = await register(app.url);
        const body = expectTokenAnswer(await login(app.url, account.email), 200);
        expect(decodeJwt(body.accessToken).payload.amr).to.deep.equal(['pwd']);
      });

      it('a wrong password is still 401 INVALID_CREDENTIALS (no mfaToken)', async () => {
        const user = await userWithTotp();
        const problem = expectProblem(await login(app.url, user.email, 'wrong password here'), 401, 'INVALID_CREDENTIALS');
        expect(problem).to.not.have.property('mfaToken');
      });

      it('refuses a code already accepted in its step (401 MFA_CODE_INVALID); the next step\'s code works', async () => {
        const user = await userWithTotp();
        const code = await codeAt(user.secret, clock.now());
        expectTokenAnswer(await verify(expectMfaRequired(await login(app.url, user.email)).mfaToken, code), 200);
        const second = expectMfaRequired(await login(app.url, user.email));
        expectProblem(await verify(second.mfaToken, code), 401, 'MFA_CODE_INVALID');
        nextStep();
        expectTokenAnswer(await verify(second.mfaToken, await codeAt(user.secret, clock.now())), 200);
      });

      it('accepts the previous and the next step (clock drift), refuses two steps away', async () => {
        const user = await userWithTotp();
        const { mfaToken } = expectMfaRequired(await login(app.url, user.email));
        expectProblem(await verify(mfaToken, await codeAt(user.secret, new Date(clock.now().getTime() + 60_000))), 401, 'MFA_CODE_INVALID');
        expectTokenAnswer(await verify(mfaToken, await codeAt(user.secret, new Date(clock.now().getTime() + 30_000))), 200);
      });

      it('an mfaToken is single use, lives 5 minutes, and an unknown one is 401 MFA_TOKEN_INVALID', async () => {
        const user = await userWithTotp();
        const first = expectMfaRequired(await login(app.url, user.email));
        expectTokenAnswer(await verify(first.mfaToken, await codeAt(user.secret, clock.now())), 200);
        nextStep();
        expectProblem(await verify(first.mfaToken, await codeAt(user.secret, clock.now())), 401, 'MFA_TOKEN_INVALID');
        const late = expectMfaRequired(await login(app.url, user.email));
        clock.advance(5 * 60 + 1);
        expectProblem(await verify(late.mfaToken, await codeAt(user.secret, clock.now())), 401, 'MFA_TOKEN_INVALID');
        expectProblem(await verify('A'.repeat(43), '123456'), 401, 'MFA_TOKEN_INVALID');
        expectProblem(await post('/auth/mfa/verify', { code: '123456' }), 401, 'MFA_TOKEN_INVALID');
      });

      it('5 wrong codes void the mfaToken, and they count as failed logins for that pair (then 429)', async () => {
        const user = await userWithTotp();
        const { mfaToken } = expectMfaRequired(await login(app.url, user.email));
        const right = await codeAt(user.secret, clock.now());
        const wrong = right === '000000' ? '000001' : '000000';
        for (let i = 0; i < 5; i += 1) expectProblem(await verify(mfaToken, wrong), 401, 'MFA_CODE_INVALID');
        expectProblem(await verify(mfaToken, right), 401, 'MFA_TOKEN_INVALID');
        const throttled = await login(app.url, user.email);
        expectProblem(throttled, 429, 'TOO_MANY_ATTEMPTS');
        expect(Number(throttled.headers.get('retry-after'))).to.be.greaterThan(0);
      });

      it('the right password (401 MFA_REQUIRED) counts as a success for the pair: its failures start again from none', async () => {
        const max = app.config.throttle.maxFailures;
        const user = await userWithTotp();
        const wrongPassword = () => login(app.url, user.email, 'wrong password here');
        for (let i = 0; i < max - 1; i += 1) expectProblem(await wrongPassword(), 401, 'INVALID_CREDENTIALS');
        expectMfaRequired(await login(app.url, user.email));
        // Had the right password not cleared the pair, the second failure from here would already be refused.
        for (let i = 0; i < max; i += 1) expectProblem(await wrongPassword(), 401, 'INVALID_CREDENTIALS');
        const throttled = await login(app.url, user.email);
        expectProblem(throttled, 429, 'TOO_MANY_ATTEMPTS');
        expect(Number(throttled.headers.get('retry-after'))).to.be.greaterThan(0);
      });

      it('a recovery code works once in place of a code, typed in any case and without dashes', async () => {
        const user = await userWithTotp();
        const recovery = user.recoveryCodes[0] ?? '';
        const typed = recovery.replaceAll('-', '').toLowerCase();
        const body = expectTokenAnswer(await verify(expectMfaRequired(await login(app.url, user.email)).mfaToken, typed), 200);
        expect(decodeJwt(body.accessToken).payload.amr).to.deep.equal(['pwd', 'otp']);
        expectProblem(await verify(expectMfaRequired(await login(app.url, user.email)).mfaToken, recovery), 401, 'MFA_CODE_INVALID');
        expectTokenAnswer(await verify(expectMfaRequired(await login(app.url, user.email)).mfaToken, user.recoveryCodes[1] ?? ''), 200);
      });

      it('completes in the mode of the login: a cookie login gets cookies and no token, a Bearer one tokens whatever verify asks', async () => {
        const user = await userWithTotp();
        const cookieRequired = expectMfaRequired(await login(app.url, user.email, GOOD_PASSWORD, COOKIE_MODE));
        const cookieAnswer = await verify(cookieRequired.mfaToken, await codeAt(user.secret, clock.now()));
        expectCookieModeAnswer(cookieAnswer, 200);
        expectSessionCookies(cookieAnswer);
        const jar = new CookieJar().take(cookieAnswer);
        expect(decodeJwt(jar.get('access_token')).payload.amr).to.deep.equal(['pwd', 'otp']);
        nextStep();
        const bearerRequired = expectMfaRequired(await login(app.url, user.email));
        expectTokenAnswer(await verify(bearerRequired.mfaToken, await codeAt(user.secret, clock.now()), COOKIE_MODE), 200);
      });

      it('lists "passkey" among the methods when the user has one; a passkey sign-in needs no code (amr hwk)', async () => {
        const user = await userWithTotp();
        const device = new SoftwareAuthenticator('http://localhost:3000');
        const options = (await post('/auth/passkeys/registration/options', undefined, bearer(user.accessToken))).body as Record<string, any>;
        expect((await post('/auth/passkeys/registration', device.register(options), bearer(user.accessToken))).status).to.equal(201);
        expect(expectMfaRequired(await login(app.url, user.email)).methods).to.deep.equal(['totp', 'recovery_code', 'passkey']);
        const signInOptions = (await post('/auth/passkeys/authentication/options')).body as Record<string, any>;
        const body = expectTokenAnswer(await post('/auth/passkeys/authentication', device.authenticate(signInOptions)), 200);
        expect(decodeJwt(body.accessToken).payload.amr).to.deep.equal(['hwk']);
        expect(body.user.mfa).to.deep.equal({ totp: true, passkeys: 1 });
      });
    });

    describe('turning it off', () => {
      it('DELETE /auth/mfa/totp with a code: 204, and the password alone signs in again', async () => {
        const user = await userWithTotp();
        const right = await codeAt(user.secret, clock.now());
        const del = (code: string) => call(app.url, 'DELETE', '/auth/mfa/totp', { json: { code }, headers: bearer(user.accessToken) });
        expectProblem(await del(right === '000000' ? '000001' : '000000'), 401, 'MFA_CODE_INVALID');
        expect((await del(right)).status).to.equal(204);
        expect((await me(app.url, user.accessToken)).body.mfa).to.deep.equal({ totp: false, passkeys: 0 });
        expectTokenAnswer(await login(app.url, user.email), 200);
        expectProblem(await del(right), 409, 'TOTP_NOT_ENABLED');
      });

      it('a recovery code turns it off too', async () => {
        const user = await userWithTotp();
        const res = await call(app.url, 'DELETE', '/auth/mfa/totp', { json: { code: user.recoveryCodes[9] }, headers: bearer(user.accessToken) });
        expect(res.status, res.text).to.equal(204);
      });
    });

    it('records mfa.enabled, mfa.failed and mfa.disabled in the account\'s events', async () => {
      const user = await userWithTotp();
      const { mfaToken } = expectMfaRequired(await login(app.url, user.email));
      const right = await codeAt(user.secret, clock.now());
      expectProblem(await verify(mfaToken, right === '000000' ? '000001' : '000000'), 401, 'MFA_CODE_INVALID');
      expect((await call(app.url, 'DELETE', '/auth/mfa/totp', { json: { code: right }, headers: bearer(user.accessToken) })).status).to.equal(204);
      const events = (await call(app.url, 'GET', '/auth/events', { headers: bearer(user.accessToken) })).body as { events: { type: string; detail: Record<string, unknown> }[] };
      const types = events.events.map((e) => e.type);
      expect(types).to.include.members(['mfa.enabled', 'mfa.failed', 'mfa.disabled']);
      expect(JSON.stringify(events)).to.not.contain(user.secret);
    });
  });
}

describe('TOTP enrolment without MFA_ENCRYPTION_KEY in production', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { NODE_ENV: 'production' } });
  });
  after(() => app.close());

  it('answers 503 MFA_UNAVAILABLE; sign-in keeps working', async () => {
    const account = await register(app.url);
    expectProblem(await call(app.url, 'POST', '/auth/mfa/totp', { json: {}, headers: bearer(account.accessToken) }), 503, 'MFA_UNAVAILABLE');
    expectTokenAnswer(await login(app.url, account.email), 200);
  });
});
