import { createHash, createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { DATABASE_BACKENDS } from '../support/backends.js';
import { GithubStandIn, startGithubTestApp, type GithubTestApp } from '../support/github-stand-in.js';
import { call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import { Browser, expectSignedIn, githubFlow } from './github-browser.js';
import { claims, decodeJwt, expectInvalidToken, expectProblem, forgeJwt, REFRESH_TYP, TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './helpers.js';
import { cookieLogin, COOKIE_MODE, type CookieJar, setCookiesOf } from './web-client.js';

/**
 * docs/tokens-and-modes.md "CSRF": the csrf_token is bound to the session (an HMAC of the
 * session id under a server key), so a value planted by a sibling subdomain, or one from another
 * session, fails with 403 CSRF_FAILED. Written as the attacker tries it: the victim's browser sends
 * the victim's own session cookies, plus whatever csrf_token cookie and X-CSRF-Token header the
 * attacker managed to plant or make the victim's page send.
 */

const NEW_PASSWORD = 'a brand new passphrase';

interface UnsafeRoute {
  readonly name: string;
  readonly method: 'POST' | 'DELETE';
  readonly path: (jar: CookieJar) => string;
  readonly json?: unknown;
}

const UNSAFE: readonly UnsafeRoute[] = [
  { name: 'POST /auth/refresh', method: 'POST', path: () => '/auth/refresh' },
  { name: 'POST /auth/logout', method: 'POST', path: () => '/auth/logout' },
  { name: 'POST /auth/logout-all', method: 'POST', path: () => '/auth/logout-all' },
  { name: 'POST /auth/password', method: 'POST', path: () => '/auth/password', json: { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD } },
  { name: 'DELETE /auth/sessions/:id', method: 'DELETE', path: (jar) => `/auth/sessions/${jar.sid()}` },
];

/** The victim's cookies, with the attacker's csrf_token in place of theirs, or sent before theirs (a more specific path wins the order). */
const withPlanted = (jar: CookieJar, csrf: string, header: string = csrf, keepVictims = false): Record<string, string> => {
  const own = keepVictims ? jar.header().cookie : jar.without('csrf_token').header().cookie;
  return { cookie: `csrf_token=${csrf}; ${own}`, 'x-csrf-token': header };
};

/** Values an attacker without the server key could plant: random, trivial, and guesses at how the token is made. */
function guesses(jar: CookieJar): Record<string, string> {
  const sid = jar.sid();
  const b64 = (b: Buffer) => b.toString('base64url');
  return {
    'a random 32-byte value': b64(randomBytes(32)),
    'a short value': 'x',
    'the session id itself': sid,
    'SHA-256 of the session id': b64(createHash('sha256').update(sid).digest()),
    'HMAC of the session id under the refresh secret': b64(createHmac('sha256', TEST_REFRESH_SECRET).update(sid).digest()),
    'HMAC of the session id under the access secret': b64(createHmac('sha256', TEST_ACCESS_SECRET).update(sid).digest()),
    'HMAC of the session id under a key of its own': b64(createHmac('sha256', randomBytes(32)).update(sid).digest()),
  };
}

for (const backend of DATABASE_BACKENDS) {
  describe(`CSRF bound to the session, on ${backend.name}`, function () {
    let app: TestApp;
    let stop: () => Promise<void>;

    before(async function () {
      if (!(await backend.available())) this.skip();
      ({ app, stop } = await backend.start({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } }));
    });
    after(async () => {
      await stop?.();
    });

    const send = (route: UnsafeRoute, jar: CookieJar, headers: Record<string, string>) =>
      call(app.url, route.method, route.path(jar), { headers, ...(route.json === undefined ? {} : { json: route.json }) });

    const expectCsrfFailed = (res: ApiResponse, label: string) => {
      expectProblem(res, 403, 'CSRF_FAILED');
      expect(setCookiesOf(res).map((c) => c.name), `${label}: Set-Cookie on a refused request`).to.deep.equal([]);
    };

    /** The victim's session is untouched: the access cookie works, the refresh cookie was not consumed, the password is the old one. */
    const expectUntouched = async (jar: CookieJar, email: string, label: string) => {
      const me = await call(app.url, 'GET', '/auth/me', { headers: jar.header() });
      expect(me.status, `${label}: the access cookie still works (${me.text})`).to.equal(200);
      const renewed = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });
      expect(renewed.status, `${label}: the refresh cookie still works (${renewed.text})`).to.equal(200);
      jar.take(renewed);
      const login = await call(app.url, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } });
      expect(login.status, `${label}: the password did not change`).to.equal(401);
    };

    for (const route of UNSAFE) {
      describe(route.name, () => {
        it('refuses a planted csrf_token cookie with a matching X-CSRF-Token, whatever its value, and nothing changes', async () => {
          const victim = await register(app.url, uniqueEmail('csrf-victim'));
          const jar = await cookieLogin(app.url, victim.email);
          for (const [what, value] of Object.entries(guesses(jar))) {
            expectCsrfFailed(await send(route, jar, withPlanted(jar, value)), `${what}, in place of the victim's`);
            expectCsrfFailed(await send(route, jar, withPlanted(jar, value, value, true)), `${what}, before the victim's`);
          }
          await expectUntouched(jar, victim.email, route.name);
        });

        it("refuses the attacker's own valid csrf_token (another user's session, and another session of the victim)", async () => {
          const victim = await register(app.url, uniqueEmail('csrf-victim'));
          const jar = await cookieLogin(app.url, victim.email);
          const attacker = await register(app.url, uniqueEmail('csrf-attacker'));
          const attackerJar = await cookieLogin(app.url, attacker.email);
          const victimsOther = await cookieLogin(app.url, victim.email);
          for (const [what, other] of [
            ["the attacker's session", attackerJar],
            ["the victim's other session", victimsOther],
          ] as const) {
            const value = other.get('csrf_token');
            expect(value, 'a real token of a real session').to.not.equal(jar.get('csrf_token'));
            expectCsrfFailed(await send(route, jar, withPlanted(jar, value)), `${what}: planted pair`);
            expectCsrfFailed(await send(route, jar, { ...jar.header(), 'x-csrf-token': value }), `${what}: header only`);
          }
          await expectUntouched(jar, victim.email, route.name);
        });

        it('refuses the csrf_token of a session from before a new sign-in in the same browser', async () => {
          const victim = await register(app.url, uniqueEmail('csrf-victim'));
          const before = await cookieLogin(app.url, victim.email);
          const old = before.get('csrf_token');
          const res = await call(app.url, 'POST', '/auth/login', { json: { email: victim.email, password: GOOD_PASSWORD }, headers: { ...COOKIE_MODE, ...before.header() } });
          expect(res.status, res.text).to.equal(200);
          const jar = before.without('csrf_token').take(res);
          expect(jar.get('csrf_token'), 'a new sign-in, a new token').to.not.equal(old);
          expectCsrfFailed(await send(route, jar, withPlanted(jar, old)), 'the old token as a pair');
          expectCsrfFailed(await send(route, jar, { ...jar.header(), 'x-csrf-token': old }), 'the old token as the header');
          await expectUntouched(jar, victim.email, route.name);
        });
      });
    }

    it('keeps the csrf_token across refreshes (the same session) and accepts it after each', async () => {
      const victim = await register(app.url, uniqueEmail('csrf-refresh'));
      const jar = await cookieLogin(app.url, victim.email);
      const token = jar.get('csrf_token');
      for (let i = 0; i < 3; i++) {
        const res = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });
        expect(res.status, res.text).to.equal(200);
        jar.take(res);
        expect(jar.get('csrf_token'), `after refresh ${i + 1}`).to.equal(token);
      }
      expect((await call(app.url, 'POST', '/auth/logout', { headers: jar.withCsrf() })).status).to.equal(204);
    });

    it('logs out in cookie mode only with the session’s own token; a planted pair leaves the session live', async () => {
      const victim = await register(app.url, uniqueEmail('csrf-logout'));
      const jar = await cookieLogin(app.url, victim.email);
      const attacker = await cookieLogin(app.url, (await register(app.url, uniqueEmail('csrf-attacker'))).email);
      expectCsrfFailed(await call(app.url, 'POST', '/auth/logout', { headers: withPlanted(jar, attacker.get('csrf_token')) }), 'logout');
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status, 'still signed in').to.equal(200);
      const out = await call(app.url, 'POST', '/auth/logout', { headers: jar.withCsrf() });
      expect(out.status, out.text).to.equal(204);
      expect((await call(app.url, 'GET', '/auth/me', { headers: jar.header() })).status, 'signed out').to.equal(401);
    });

    it('refuses a forged refresh before the token is used: a replaced refresh token planted with a forged pair triggers no reuse detection', async () => {
      const victim = await register(app.url, uniqueEmail('csrf-reuse'));
      const jar = await cookieLogin(app.url, victim.email);
      const replaced = jar.get('refresh_token');
      const rotated = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });
      expect(rotated.status, rotated.text).to.equal(200);
      jar.take(rotated);
      // The sibling subdomain plants the old refresh token (Path=/auth) and a pair of its own.
      const attack = { cookie: `refresh_token=${replaced}; csrf_token=forged; ${jar.without('csrf_token').header().cookie}`, 'x-csrf-token': 'forged' };
      expectCsrfFailed(await call(app.url, 'POST', '/auth/refresh', { headers: attack }), 'forged refresh with a replaced token');
      const next = await call(app.url, 'POST', '/auth/refresh', { headers: jar.withCsrf() });
      expect(next.status, `the family was not revoked (${next.text})`).to.equal(200);
    });

    it("authenticates nothing by the unverified session id: a forged token naming the attacker's session, with the attacker's own csrf_token, is still 401", async () => {
      const attacker = await register(app.url, uniqueEmail('csrf-forger'));
      const jar = await cookieLogin(app.url, attacker.email);
      const { sid, sub } = decodeJwt(jar.get('refresh_token')).payload;
      const csrf = jar.get('csrf_token');
      const unsigned = forgeJwt({ alg: 'HS256', typ: REFRESH_TYP }, claims({ sub, sid }), { secret: 'not-the-server-key-0123456789abcdef', hmac: 'sha256' });
      const res = await call(app.url, 'POST', '/auth/refresh', { headers: { cookie: `refresh_token=${unsigned}; csrf_token=${csrf}`, 'x-csrf-token': csrf } });
      expectInvalidToken(res);
    });
  });
}

describe('CSRF bound to the session: the GitHub sign-in sets the session’s own token', () => {
  let standIn: GithubStandIn;
  let app: GithubTestApp;
  before(async () => {
    standIn = await GithubStandIn.start();
    app = await startGithubTestApp(standIn);
  });
  after(async () => {
    await app.close();
    await standIn.close();
  });

  it('accepts the csrf_token the callback set, and refuses a planted pair on the same session', async () => {
    const browser = new Browser(app, standIn);
    const { callback } = await githubFlow(browser, app, standIn);
    expectSignedIn(callback);
    const own = browser.cookie('csrf_token', '/auth/refresh') as string;
    expect(own).to.be.a('string');

    const forged = browser.clone().plant('csrf_token', 'planted-by-a-sibling', '/auth');
    expectProblem(await forged.call('POST', '/auth/refresh', { headers: { 'x-csrf-token': 'planted-by-a-sibling' } }), 403, 'CSRF_FAILED');

    const refreshed = await browser.call('POST', '/auth/refresh', { headers: { 'x-csrf-token': own } });
    expect(refreshed.status, refreshed.text).to.equal(200);
    expect(browser.cookie('csrf_token', '/auth/refresh'), 'the same session keeps its token').to.equal(own);
  });
});
