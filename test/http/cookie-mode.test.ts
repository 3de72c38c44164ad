import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import { decodeJwt, expectInvalidToken, expectProblem, expectTokenAnswer, me, refresh } from './helpers.js';
import {
  COOKIE_MODE,
  cookieLogin,
  CookieJar,
  expectCookieModeAnswer,
  expectSessionCookies,
  expectSessionCookiesCleared,
  expiryOf,
  setCookiesOf,
  sidOf,
  type SetCookie,
} from './web-client.js';

const ACCESS_TTL = 600;
const REFRESH_TTL = 86_400;

/** A cookie's expiry, in epoch seconds, is its token's `exp` (one second of slack for the clock's tick). */
function expectExpiryAtExp(c: SetCookie, exp: number): void {
  const expiry = expiryOf(c);
  expect(expiry, `${c.name} has an expiry (${c.raw})`).to.not.equal(null);
  expect(Math.abs((expiry ?? 0) / 1000 - exp), `${c.name} expires with its token (${c.raw})`).to.be.at.most(1);
}

describe('cookie mode (X-Auth-Mode: cookie)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { ACCESS_TOKEN_TTL: String(ACCESS_TTL), REFRESH_TOKEN_TTL: String(REFRESH_TTL) } });
  });
  after(() => app.close());

  const cookieRegister = (email = uniqueEmail('cookie')) =>
    call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: COOKIE_MODE });

  describe('sign-in answers', () => {
    it('registers with 201 { user, expiresIn } and no token in the body', async () => {
      const email = uniqueEmail('cookie-reg');
      const body = expectCookieModeAnswer(await cookieRegister(email), 201);
      expect(body.user.email).to.equal(email);
      expect(body.expiresIn).to.equal(ACCESS_TTL);
    });

    it('logs in with 200 { user, expiresIn } and no token in the body', async () => {
      const r = await register(app.url);
      const res = await call(app.url, 'POST', '/auth/login', { json: { email: r.email, password: GOOD_PASSWORD }, headers: COOKIE_MODE });
      const body = expectCookieModeAnswer(res, 200);
      expect(body.user.id).to.equal(r.user.id);
      expect(body.expiresIn).to.equal(ACCESS_TTL);
    });

    it('sets access_token (HttpOnly, Lax, /), refresh_token (HttpOnly, Strict, /auth) and a readable csrf_token (Lax, /), not Secure on an http PUBLIC_URL', async () => {
      expectSessionCookies(await cookieRegister(), false);
      const r = await register(app.url);
      expectSessionCookies(await call(app.url, 'POST', '/auth/login', { json: { email: r.email, password: GOOD_PASSWORD }, headers: COOKIE_MODE }), false);
    });

    it('does not mark cookies Secure for a client-sent X-Forwarded-Proto: https (no trusted proxy, http PUBLIC_URL)', async () => {
      const r = await register(app.url);
      const res = await call(app.url, 'POST', '/auth/login', {
        json: { email: r.email, password: GOOD_PASSWORD },
        headers: { ...COOKIE_MODE, 'x-forwarded-proto': 'https' },
      });
      expectSessionCookies(res, false);
    });

    it('puts the tokens themselves in the cookies: the access cookie is an access token of the user', async () => {
      const res = await cookieRegister();
      const jar = new CookieJar().take(res);
      const userId = (res.body as { user: { id: string } }).user.id;
      expect(decodeJwt(jar.get('access_token')).payload.sub).to.equal(userId);
      expect(decodeJwt(jar.get('refresh_token')).payload.sub).to.equal(userId);
      expect(sidOf(jar.get('refresh_token'))).to.equal(jar.sid());
    });

    it('lets each cookie live as long as its token, and csrf_token as long as refresh_token', async () => {
      for (const res of [await cookieRegister(), await cookieRegister()]) {
        const cookies = expectSessionCookies(res);
        const access = decodeJwt(cookies.access_token.value).payload;
        const refreshClaims = decodeJwt(cookies.refresh_token.value).payload;
        expect(access.exp - access.iat, 'configured access lifetime').to.equal(ACCESS_TTL);
        expect(refreshClaims.exp - refreshClaims.iat, 'configured refresh lifetime').to.equal(REFRESH_TTL);

        expectExpiryAtExp(cookies.access_token, access.exp);
        expectExpiryAtExp(cookies.refresh_token, refreshClaims.exp);
        expectExpiryAtExp(cookies.csrf_token, refreshClaims.exp);
      }
    });

    it('gives a new csrf_token at each sign-in: two logins of one user get different values', async () => {
      const r = await register(app.url);
      const first = await cookieLogin(app.url, r.email);
      const second = await cookieLogin(app.url, r.email);
      expect(first.get('csrf_token')).to.match(/^[\w-]{16,}$/);
      expect(second.get('csrf_token')).to.not.equal(first.get('csrf_token'));
      expect(second.sid()).to.not.equal(first.sid());
    });

    it('gives a new csrf_token at a sign-in even when the browser still sends its old cookies', async () => {
      const r = await register(app.url);
      const first = await cookieLogin(app.url, r.email);
      const second = await cookieLogin(app.url, r.email, GOOD_PASSWORD, first.header());
      expect(second.get('csrf_token')).to.not.equal(first.get('csrf_token'));
    });

    it('sets no cookie in Bearer mode (no X-Auth-Mode)', async () => {
      const res = await call(app.url, 'POST', '/auth/register', { json: { email: uniqueEmail(), password: GOOD_PASSWORD } });
      expectTokenAnswer(res, 201);
      expect(setCookiesOf(res).map((c) => c.name)).to.deep.equal([]);
    });

    it('sets no cookie on a failed cookie-mode login', async () => {
      const r = await register(app.url);
      const res = await call(app.url, 'POST', '/auth/login', { json: { email: r.email, password: 'not the password' }, headers: COOKIE_MODE });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
      expect(setCookiesOf(res)).to.deep.equal([]);
    });
  });

  describe('the jwt strategy: Bearer first, then the access_token cookie', () => {
    it('authenticates GET /auth/me with only the access_token cookie', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const res = await call(app.url, 'GET', '/auth/me', { headers: { cookie: `access_token=${jar.get('access_token')}` } });
      expect(res.status, res.text).to.equal(200);
      expect((res.body as { id: string }).id).to.equal(r.user.id);
    });

    it('ignores a good cookie when a bad Bearer token is sent: 401', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      expectInvalidToken(await call(app.url, 'GET', '/auth/me', { headers: { ...jar.header(), ...bearer('not.a.token') } }));
    });

    it('ignores a good cookie when any Authorization header is sent (Basic, bare Bearer): 401', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Token abc']) {
        const res = await call(app.url, 'GET', '/auth/me', { headers: { ...jar.header(), authorization } });
        expect(res.status, `${authorization}: ${res.text}`).to.equal(401);
      }
    });

    it('uses the Bearer token, not the cookie, when both are good', async () => {
      const alice = await register(app.url);
      const bob = await register(app.url);
      const aliceJar = await cookieLogin(app.url, alice.email);
      const res = await call(app.url, 'GET', '/auth/me', { headers: { ...aliceJar.header(), ...bearer(bob.accessToken) } });
      expect(res.status, res.text).to.equal(200);
      expect((res.body as { id: string }).id).to.equal(bob.user.id);
    });

    it('refuses a refresh token in the access_token cookie', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const res = await call(app.url, 'GET', '/auth/me', { headers: { cookie: `access_token=${jar.get('refresh_token')}` } });
      expectInvalidToken(res);
    });
  });

  describe('the jwt-refresh strategy: body, then Bearer, then the refresh_token cookie', () => {
    it('answers a refresh authenticated by cookie in cookie mode: new cookies, no token in the body, the same csrf_token and session', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const before = { access: jar.get('access_token'), refresh: jar.get('refresh_token'), csrf: jar.get('csrf_token'), sid: jar.sid() };

      const res = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });

      expectCookieModeAnswer(res, 200);
      const cookies = expectSessionCookies(res);
      jar.take(res);
      expect(jar.get('refresh_token'), 'a rotated refresh token').to.not.equal(before.refresh);
      expect(jar.get('access_token'), 'a new access token').to.not.equal(before.access);
      expect(cookies.csrf_token.value, 'the csrf_token stays for the session').to.equal(before.csrf);
      expect(jar.sid()).to.equal(before.sid);
      expectExpiryAtExp(cookies.refresh_token, decodeJwt(cookies.refresh_token.value).payload.exp);
      expectExpiryAtExp(cookies.csrf_token, decodeJwt(cookies.refresh_token.value).payload.exp);
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(200);
    });

    it('answers a refresh by body in Bearer mode, and reads the body before the cookie', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);

      const res = await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: r.refreshToken }, headers: jar.header() });

      const body = expectTokenAnswer(res, 200);
      expect(sidOf(body.accessToken), 'the body’s session was refreshed').to.equal(sidOf(r.accessToken));
      expect(setCookiesOf(res).map((c) => c.name), 'no cookies in Bearer mode').to.deep.equal([]);
      // The cookie's token was not used: it is still the newest of its family.
      expectCookieModeAnswer(await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() }), 200);
    });

    it('answers a refresh by Authorization: Bearer in Bearer mode, and reads the header before the cookie', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);

      const res = await call(app.url, 'POST', '/auth/refresh', { headers: { ...jar.header(), ...bearer(r.refreshToken) } });

      const body = expectTokenAnswer(res, 200);
      expect(sidOf(body.accessToken)).to.equal(sidOf(r.accessToken));
      expect(setCookiesOf(res)).to.deep.equal([]);
      expectCookieModeAnswer(await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() }), 200);
    });

    it('ignores the refresh cookie when a bad Bearer token is sent: 401, and the cookie session is untouched', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      expectInvalidToken(await call(app.url, 'POST', '/auth/refresh', { headers: { ...jar.withCsrf(), ...bearer('not.a.token') } }));
      expectCookieModeAnswer(await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() }), 200);
    });

    it('refuses an access token in the refresh_token cookie', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const headers = { cookie: `refresh_token=${jar.get('access_token')}; csrf_token=${jar.get('csrf_token')}`, 'x-csrf-token': jar.get('csrf_token') };
      expectInvalidToken(await call(app.url, 'POST', '/auth/refresh', { headers }));
    });

    it('treats a replaced refresh cookie presented again after the grace as reuse: the family is revoked', async () => {
      const graceless = await startTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
      try {
        const r = await register(graceless.url);
        const jar = await cookieLogin(graceless.url, r.email);
        const old = jar.withCsrf();
        const rotated = await call(graceless.url, 'POST', '/auth/refresh', { headers: old });
        expectCookieModeAnswer(rotated, 200);
        jar.take(rotated);

        expectInvalidToken(await call(graceless.url, 'POST', '/auth/refresh', { headers: old }));
        expectInvalidToken(await call(graceless.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() }));
        expect((await call(graceless.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(401);
      } finally {
        await graceless.close();
      }
    });
  });

  describe('signing out clears the three cookies', () => {
    it('clears them on logout by cookie, and the session ends', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const tokens = { access: jar.get('access_token'), refresh: jar.get('refresh_token') };
      const res = await call(app.url, 'POST', '/auth/logout', { headers: jar.withCsrf() });
      expect(res.status, res.text).to.equal(204);
      expectSessionCookiesCleared(res);
      expect(jar.take(res).names()).to.deep.equal([]);
      expectInvalidToken(await me(app.url, tokens.access));
      expectInvalidToken(await refresh(app.url, tokens.refresh));
    });

    it('clears them on logout-all by cookie', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const res = await call(app.url, 'POST', '/auth/logout-all', { headers: jar.withCsrf() });
      expect(res.status, res.text).to.equal(204);
      expectSessionCookiesCleared(res);
      expectInvalidToken(await me(app.url, r.accessToken));
    });

    it('clears them on DELETE of the caller’s own current session', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const res = await call(app.url, 'DELETE', `/auth/sessions/${jar.sid()}`, { headers: jar.withCsrf() });
      expect(res.status, res.text).to.equal(204);
      expectSessionCookiesCleared(res);
    });

    it('leaves the caller’s cookies alone when it ends another of its sessions', async () => {
      const r = await register(app.url);
      const jar = await cookieLogin(app.url, r.email);
      const res = await call(app.url, 'DELETE', `/auth/sessions/${sidOf(r.accessToken)}`, { headers: jar.withCsrf() });
      expect(res.status, res.text).to.equal(204);
      expect(setCookiesOf(res).map((c) => c.name)).to.deep.equal([]);
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(200);
    });
  });
});

describe('cookie mode with an https PUBLIC_URL (the test itself talks plain http)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { PUBLIC_URL: 'https://auth.example.com' } });
  });
  after(() => app.close());

  it('marks all three cookies Secure at registration and login', async () => {
    const email = uniqueEmail('secure');
    expectSessionCookies(await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: COOKIE_MODE }), true);
    expectSessionCookies(await call(app.url, 'POST', '/auth/login', { json: { email, password: GOOD_PASSWORD }, headers: COOKIE_MODE }), true);
  });

  it('marks them Secure on a refresh by cookie', async () => {
    const r = await register(app.url);
    const jar = await cookieLogin(app.url, r.email);
    const res = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });
    expectCookieModeAnswer(res, 200);
    expectSessionCookies(res, true);
  });

  it('marks them Secure when clearing them at logout', async () => {
    const r = await register(app.url);
    const jar = await cookieLogin(app.url, r.email);
    const res = await call(app.url, 'POST', '/auth/logout', { headers: jar.withCsrf() });
    expect(res.status, res.text).to.equal(204);
    expectSessionCookiesCleared(res, true);
  });
});
