import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import {
  decodeJwt,
  expectInvalidToken,
  expectProblem,
  expectTokenAnswer,
  expectValidationFailed,
  login,
  me,
  NO_THROTTLE,
  refresh,
  type TokenAnswer,
} from './helpers.js';
import { cookieLogin, expectCookieModeAnswer, expectSessionCookies, setCookiesOf, sidOf } from './web-client.js';

const NEW_PASSWORD = 'a brand new passphrase';

describe('POST /auth/logout-all and POST /auth/password', () => {
  let app: TestApp;
  before(async () => {
    // A clock that stands still: every token of a test is issued in the same second.
    app = await startTestApp({ env: NO_THROTTLE, clock: new FixedClock(new Date()) });
  });
  after(() => app.close());

  const logoutAll = (accessToken: string) => call(app.url, 'POST', '/auth/logout-all', { headers: bearer(accessToken) });
  const changePassword = (accessToken: string, json: unknown) => call<TokenAnswer>(app.url, 'POST', '/auth/password', { json, headers: bearer(accessToken) });

  const expectEnded = async (tokens: { accessToken: string; refreshToken: string }, label: string) => {
    const access = await me(app.url, tokens.accessToken);
    expect(access.status, `${label}: access token`).to.equal(401);
    expectInvalidToken(access);
    const renewal = await refresh(app.url, tokens.refreshToken);
    expect(renewal.status, `${label}: refresh token`).to.equal(401);
    expectInvalidToken(renewal);
  };
  const expectWorks = async (tokens: { accessToken: string }, label: string) => {
    const res = await me(app.url, tokens.accessToken);
    expect(res.status, `${label}: ${res.text}`).to.equal(200);
  };

  const threeSessions = async () => {
    const reg = await register(app.url, uniqueEmail('three'));
    const laptop = expectTokenAnswer(await login(app.url, reg.email), 200);
    const phone = expectTokenAnswer(await login(app.url, reg.email), 200);
    return { reg, laptop, phone, all: [['registration', reg], ['laptop', laptop], ['phone', phone]] as const };
  };

  describe('POST /auth/logout-all', () => {
    it('answers 204 with no body and ends every session’s access and refresh tokens at once (three sessions)', async () => {
      const { laptop, all } = await threeSessions();

      const res = await logoutAll(laptop.accessToken);

      expect(res.status, res.text).to.equal(204);
      expect(res.text).to.equal('');
      for (const [label, tokens] of all) await expectEnded(tokens, label);
    });

    it('ends no other user’s session', async () => {
      const { laptop } = await threeSessions();
      const stranger = await register(app.url, uniqueEmail('stranger'));
      expect((await logoutAll(laptop.accessToken)).status).to.equal(204);
      await expectWorks(stranger, 'another user');
      expectTokenAnswer(await refresh(app.url, stranger.refreshToken), 200);
    });

    it('lets a sign-in in the same second afterwards work', async () => {
      const { reg, laptop } = await threeSessions();
      expect((await logoutAll(laptop.accessToken)).status).to.equal(204);

      const again = expectTokenAnswer(await login(app.url, reg.email), 200);

      expect(decodeJwt(again.accessToken).payload.iat, 'the same second').to.equal(decodeJwt(laptop.accessToken).payload.iat);
      await expectWorks(again, 'the new sign-in');
      const renewed = expectTokenAnswer(await refresh(app.url, again.refreshToken), 200);
      await expectWorks(renewed, 'the new sign-in, refreshed');
    });

    it('answers 401 without a token or with a refresh token, and ends nothing', async () => {
      const { laptop, all } = await threeSessions();
      expectProblem(await call(app.url, 'POST', '/auth/logout-all'), 401, 'TOKEN_MISSING');
      expectInvalidToken(await logoutAll(laptop.refreshToken));
      for (const [label, tokens] of all) await expectWorks(tokens, label);
    });
  });

  describe('POST /auth/password', () => {
    it('answers 200 with new Bearer tokens for a NEW session', async () => {
      const { reg, all } = await threeSessions();

      const changed = expectTokenAnswer(await changePassword(reg.accessToken, { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }), 200);

      expect(changed.user.id).to.equal(reg.user.id);
      expect(all.map(([, t]) => sidOf(t.accessToken)), 'a new session id').to.not.include(sidOf(changed.accessToken));
      expect(sidOf(changed.refreshToken)).to.equal(sidOf(changed.accessToken));
      await expectWorks(changed, 'the new session');
      const renewed = expectTokenAnswer(await refresh(app.url, changed.refreshToken), 200);
      expect(sidOf(renewed.accessToken)).to.equal(sidOf(changed.accessToken));
      expect(decodeJwt(changed.accessToken).payload.iat, 'issued in the same second as the ended ones').to.equal(decodeJwt(reg.accessToken).payload.iat);
      expectTokenAnswer(await login(app.url, reg.email, NEW_PASSWORD), 200);
    });

    it('ends every other session at once, the one used included', async () => {
      const { laptop, all } = await threeSessions();
      const stranger = await register(app.url, uniqueEmail('stranger'));

      expectTokenAnswer(await changePassword(laptop.accessToken, { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }), 200);

      for (const [label, tokens] of all) await expectEnded(tokens, label);
      await expectWorks(stranger, 'another user');
    });

    it('swaps the passwords: the old one no longer logs in, the new one does', async () => {
      const r = await register(app.url, uniqueEmail('swap'));
      expectTokenAnswer(await changePassword(r.accessToken, { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }), 200);

      expectProblem(await login(app.url, r.email, GOOD_PASSWORD), 401, 'INVALID_CREDENTIALS');
      expectTokenAnswer(await login(app.url, r.email, NEW_PASSWORD), 200);
    });

    it('keeps the new password exactly as sent (never trimmed), and accepts exactly 72 bytes', async () => {
      for (const newPassword of ['  spaced passphrase  ', 'ab'.repeat(36), 'éè'.repeat(18)]) {
        const r = await register(app.url, uniqueEmail('exact'));
        expectTokenAnswer(await changePassword(r.accessToken, { currentPassword: GOOD_PASSWORD, newPassword }), 200);
        expectTokenAnswer(await login(app.url, r.email, newPassword), 200);
        if (newPassword !== newPassword.trim()) expectProblem(await login(app.url, r.email, newPassword.trim()), 401, 'INVALID_CREDENTIALS');
      }
    });

    it('answers 401 INVALID_CREDENTIALS to a wrong current password, and nothing changes', async () => {
      const { reg, laptop, all } = await threeSessions();

      const res = await changePassword(laptop.accessToken, { currentPassword: 'not the password', newPassword: NEW_PASSWORD });

      expectProblem(res, 401, 'INVALID_CREDENTIALS');
      for (const [label, tokens] of all) await expectWorks(tokens, label);
      expectTokenAnswer(await refresh(app.url, laptop.refreshToken), 200);
      expectProblem(await login(app.url, reg.email, NEW_PASSWORD), 401, 'INVALID_CREDENTIALS');
      expectTokenAnswer(await login(app.url, reg.email, GOOD_PASSWORD), 200);
    });

    it('answers 400 VALIDATION_FAILED naming newPassword for one too short or over 72 bytes, and nothing changes', async () => {
      const { reg, laptop, all } = await threeSessions();
      const invalid = ['short', '🦄'.repeat(7), 'a'.repeat(73), 'é'.repeat(37), ''];
      for (const newPassword of invalid) {
        const res = await changePassword(laptop.accessToken, { currentPassword: GOOD_PASSWORD, newPassword });
        expectValidationFailed(res, ['newPassword']);
      }
      for (const [label, tokens] of all) await expectWorks(tokens, label);
      expectTokenAnswer(await login(app.url, reg.email, GOOD_PASSWORD), 200);
      for (const newPassword of invalid.filter((p) => p !== '')) {
        expectProblem(await login(app.url, reg.email, newPassword), 401, 'INVALID_CREDENTIALS');
      }
    });

    it('answers 400 listing both fields when they are missing or not strings', async () => {
      const r = await register(app.url, uniqueEmail('fields'));
      for (const json of [{}, { currentPassword: 12345678, newPassword: 123456789 }, { currentPassword: null, newPassword: true }, { currentPassword: [], newPassword: {} }]) {
        expectValidationFailed(await changePassword(r.accessToken, json), ['currentPassword', 'newPassword']);
      }
      expectValidationFailed(await changePassword(r.accessToken, { newPassword: NEW_PASSWORD }), ['currentPassword']);
      expectValidationFailed(await changePassword(r.accessToken, { currentPassword: GOOD_PASSWORD }), ['newPassword']);
      await expectWorks(r, 'the caller');
      expectTokenAnswer(await login(app.url, r.email, GOOD_PASSWORD), 200);
    });

    it('answers 401 without a token or with a refresh token, and changes nothing', async () => {
      const r = await register(app.url, uniqueEmail('anon'));
      const json = { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD };
      expectProblem(await call(app.url, 'POST', '/auth/password', { json }), 401, 'TOKEN_MISSING');
      expectInvalidToken(await changePassword(r.refreshToken, json));
      expectTokenAnswer(await login(app.url, r.email, GOOD_PASSWORD), 200);
    });

    it('answers in cookie mode when authenticated by cookie: new cookies with a new csrf_token, no token in the body, a new session', async () => {
      const r = await register(app.url, uniqueEmail('cookie-pw'));
      const jar = await cookieLogin(app.url, r.email);
      const old = { accessToken: jar.get('access_token'), refreshToken: jar.get('refresh_token'), csrf: jar.get('csrf_token'), sid: jar.sid() };

      const res = await call(app.url, 'POST', '/auth/password', {
        json: { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD },
        headers: jar.withCsrf(),
      });

      expectCookieModeAnswer(res, 200);
      expectSessionCookies(res);
      jar.take(res);
      expect(jar.get('csrf_token'), 'a new sign-in gets a new csrf_token').to.not.equal(old.csrf);
      expect(jar.sid()).to.not.equal(old.sid);
      await expectEnded(old, 'the cookie session that changed the password');
      await expectEnded(r, 'the Bearer session');
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(200);
    });

    it('sets no cookie when a cookie-mode change is refused for a wrong current password', async () => {
      const r = await register(app.url, uniqueEmail('cookie-pw-bad'));
      const jar = await cookieLogin(app.url, r.email);
      const res = await call(app.url, 'POST', '/auth/password', {
        json: { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
        headers: jar.withCsrf(),
      });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
      expect(setCookiesOf(res)).to.deep.equal([]);
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(200);
    });
  });
});
