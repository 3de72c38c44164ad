import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import { expectInvalidToken, expectProblem, expectTokenAnswer, login, me, refresh } from './helpers.js';
import { cookieLogin, type CookieJar, setCookiesOf, sidOf } from './web-client.js';

const NEW_PASSWORD = 'a brand new passphrase';

interface UnsafeRoute {
  readonly name: string;
  readonly method: 'POST' | 'DELETE';
  /** The path for this caller (DELETE names the caller's own session). */
  readonly path: (jar: CookieJar) => string;
  readonly json?: unknown;
  readonly success: number;
}

/** Every unsafe request a web app authenticates by cookie (docs/tokens-and-modes.md "CSRF"). */
const UNSAFE: readonly UnsafeRoute[] = [
  { name: 'POST /auth/refresh', method: 'POST', path: () => '/auth/refresh', success: 200 },
  { name: 'POST /auth/logout', method: 'POST', path: () => '/auth/logout', success: 204 },
  { name: 'POST /auth/logout-all', method: 'POST', path: () => '/auth/logout-all', success: 204 },
  {
    name: 'POST /auth/password',
    method: 'POST',
    path: () => '/auth/password',
    json: { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD },
    success: 200,
  },
  { name: 'DELETE /auth/sessions/:id', method: 'DELETE', path: (jar) => `/auth/sessions/${jar.sid()}`, success: 204 },
];

describe('CSRF: double-submit X-CSRF-Token on requests authenticated by cookie', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  const send = (route: UnsafeRoute, jar: CookieJar, headers: Record<string, string>) =>
    call(app.url, route.method, route.path(jar), { headers, ...(route.json === undefined ? {} : { json: route.json }) });

  /** 403 CSRF_FAILED, and the failure touched no cookie. */
  const expectCsrfFailed = (res: ApiResponse, label: string) => {
    expect(res.status, `${label}: ${res.text}`).to.equal(403);
    expectProblem(res, 403, 'CSRF_FAILED');
    expect(setCookiesOf(res).map((c) => c.name), `${label}: Set-Cookie on a refused request`).to.deep.equal([]);
  };

  /** Nothing changed: the cookie session (and its refresh token) still works, and the password is the old one. */
  const expectUntouched = async (jar: CookieJar, email: string, label: string) => {
    const meByCookie = await call(app.url, 'GET', '/auth/me', { headers: jar.header() });
    expect(meByCookie.status, `${label}: the access cookie still works (${meByCookie.text})`).to.equal(200);
    const renewed = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });
    expect(renewed.status, `${label}: the refresh cookie was not consumed (${renewed.text})`).to.equal(200);
    jar.take(renewed);
    expectProblem(await login(app.url, email, NEW_PASSWORD), 401, 'INVALID_CREDENTIALS');
  };

  for (const route of UNSAFE) {
    describe(route.name, () => {
      it('answers 403 CSRF_FAILED without X-CSRF-Token, and nothing changes', async () => {
        const r = await register(app.url, uniqueEmail('csrf'));
        const jar = await cookieLogin(app.url, r.email);
        expectCsrfFailed(await send(route, jar, jar.header()), 'no header');
        await expectUntouched(jar, r.email, route.name);
        expect((await me(app.url, r.accessToken)).status, 'the user’s other session').to.equal(200);
      });

      it('answers 403 CSRF_FAILED with a wrong X-CSRF-Token (another session’s, empty, one character off), and nothing changes', async () => {
        const r = await register(app.url, uniqueEmail('csrf'));
        const jar = await cookieLogin(app.url, r.email);
        const other = await cookieLogin(app.url, r.email);
        const right = jar.get('csrf_token');
        const offByOne = `${right.slice(0, -1)}${right.endsWith('A') ? 'B' : 'A'}`;
        for (const wrong of [other.get('csrf_token'), offByOne, `${right}x`, right.slice(0, -1), ' ']) {
          expectCsrfFailed(await send(route, jar, { ...jar.header(), 'x-csrf-token': wrong }), `X-CSRF-Token ${JSON.stringify(wrong)}`);
        }
        await expectUntouched(jar, r.email, route.name);
      });

      it('answers 403 CSRF_FAILED with the right header but no csrf_token cookie, and nothing changes', async () => {
        const r = await register(app.url, uniqueEmail('csrf'));
        const jar = await cookieLogin(app.url, r.email);
        const headers = { ...jar.without('csrf_token').header(), 'x-csrf-token': jar.get('csrf_token') };
        expectCsrfFailed(await send(route, jar, headers), 'no csrf cookie');
        await expectUntouched(jar, r.email, route.name);
      });

      it(`succeeds (${route.success}) with the matching X-CSRF-Token`, async () => {
        const r = await register(app.url, uniqueEmail('csrf'));
        const jar = await cookieLogin(app.url, r.email);
        const res = await send(route, jar, jar.withCsrf());
        expect(res.status, res.text).to.equal(route.success);
      });
    });
  }

  it('needs no X-CSRF-Token on GET /auth/me and GET /auth/sessions by cookie', async () => {
    const r = await register(app.url, uniqueEmail('csrf-get'));
    const jar = await cookieLogin(app.url, r.email);
    const meRes = await call(app.url, 'GET', '/auth/me', { headers: jar.header() });
    expect(meRes.status, meRes.text).to.equal(200);
    const sessions = await call<Array<{ id: string; current: boolean }>>(app.url, 'GET', '/auth/sessions', { headers: jar.header() });
    expect(sessions.status, sessions.text).to.equal(200);
    expect(sessions.body.filter((s) => s.current).map((s) => s.id)).to.deep.equal([jar.sid()]);
  });

  describe('Bearer requests need no X-CSRF-Token, even with the cookies of another session sent along', () => {
    /** A user with a Bearer session (registration) and a cookie session in the same client. */
    const setUp = async () => {
      const r = await register(app.url, uniqueEmail('csrf-bearer'));
      const jar = await cookieLogin(app.url, r.email);
      return { r, jar };
    };

    it('refreshes by body and by Authorization: Bearer', async () => {
      const { r, jar } = await setUp();
      const byBody = expectTokenAnswer(await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: r.refreshToken }, headers: jar.header() }), 200);
      expectTokenAnswer(await call(app.url, 'POST', '/auth/refresh', { headers: { ...jar.header(), ...bearer(byBody.refreshToken) } }), 200);
    });

    it('logs out the Bearer session, not the cookie one', async () => {
      const { r, jar } = await setUp();
      const res = await call(app.url, 'POST', '/auth/logout', { headers: { ...jar.header(), ...bearer(r.refreshToken) } });
      expect(res.status, res.text).to.equal(204);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(200);
    });

    it('logs out everywhere', async () => {
      const { r, jar } = await setUp();
      const res = await call(app.url, 'POST', '/auth/logout-all', { headers: { ...jar.header(), ...bearer(r.accessToken) } });
      expect(res.status, res.text).to.equal(204);
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(401);
    });

    it('changes the password and answers in Bearer mode', async () => {
      const { r, jar } = await setUp();
      const res = await call(app.url, 'POST', '/auth/password', {
        json: { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD },
        headers: { ...jar.header(), ...bearer(r.accessToken) },
      });
      expectTokenAnswer(res, 200);
      expect(setCookiesOf(res)).to.deep.equal([]);
    });

    it('ends a session by DELETE /auth/sessions/:id', async () => {
      const { r, jar } = await setUp();
      const res = await call(app.url, 'DELETE', `/auth/sessions/${jar.sid()}`, { headers: { ...jar.header(), ...bearer(r.accessToken) } });
      expect(res.status, res.text).to.equal(204);
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status).to.equal(401);
      expect(sidOf(r.accessToken)).to.not.equal(jar.sid());
      expect((await me(app.url, r.accessToken)).status).to.equal(200);
    });
  });
});
