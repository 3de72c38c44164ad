import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { DATABASE_BACKENDS } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import {
  decodeJwt,
  expectInvalidToken,
  expectProblem,
  expectTokenAnswer,
  expectUser,
  login,
  me,
  refresh,
  secretKeysIn,
  type TokenAnswer,
} from './helpers.js';

/** Sessions, logout-all, password change and cookie mode on the knex adapters (docs/tokens-and-modes.md "Ending sessions at once"). */

interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  device: string | null;
  current: boolean;
}

const SESSION_KEYS = ['id', 'createdAt', 'lastUsedAt', 'userAgent', 'device', 'current'];
const NEW_PASSWORD = 'a brand new passphrase';

const sidOf = (token: string): string => decodeJwt(token).payload.sid;

/** The browser's side of cookie mode: keeps what Set-Cookie gives, drops what it expires. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: ApiResponse): this {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = attributes.map((a) => /^\s*expires=(.*)$/i.exec(a)?.[1]).find((v) => v !== undefined);
      const expired = value === '' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  names(): string[] {
    return [...this.cookies.keys()].sort();
  }

  /** Every cookie, as a browser sends them to /auth (all three paths match). */
  header(): Record<string, string> {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }
}

for (const backend of DATABASE_BACKENDS) {
  describe(`sessions on ${backend.name}`, function () {
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

    const sessionsOf = (accessToken: string) => call<SessionView[]>(app.url, 'GET', '/auth/sessions', { headers: bearer(accessToken) });
    const endSession = (accessToken: string, id: string) =>
      call(app.url, 'DELETE', `/auth/sessions/${encodeURIComponent(id)}`, { headers: bearer(accessToken) });
    const logoutAll = (accessToken: string) => call(app.url, 'POST', '/auth/logout-all', { headers: bearer(accessToken) });
    const changePassword = (accessToken: string, currentPassword: string, newPassword: string) =>
      call<TokenAnswer>(app.url, 'POST', '/auth/password', { json: { currentPassword, newPassword }, headers: bearer(accessToken) });

    /** The listing, checked for shape: every key, ISO dates, nothing secret, exactly one current session. */
    const listed = async (accessToken: string): Promise<SessionView[]> => {
      const res = await sessionsOf(accessToken);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.be.an('array');
      for (const s of res.body) {
        expect(Object.keys(s).sort()).to.deep.equal([...SESSION_KEYS].sort());
        expect(new Date(s.createdAt).toISOString()).to.equal(s.createdAt);
        expect(new Date(s.lastUsedAt).toISOString()).to.equal(s.lastUsedAt);
        expect(s.current).to.be.a('boolean');
      }
      expect(secretKeysIn(res.body)).to.deep.equal([]);
      expect(res.body.filter((s) => s.current).map((s) => s.id), 'the current session').to.deep.equal([sidOf(accessToken)]);
      return res.body;
    };

    const idsOf = (sessions: readonly SessionView[]) => sessions.map((s) => s.id).sort();

    /** "A session ends": its access token and its refresh token fail at once. */
    const expectEnded = async (tokens: { accessToken: string; refreshToken: string }, label: string) => {
      const access = await me(app.url, tokens.accessToken);
      expect(access.status, `${label}: access token (${access.text})`).to.equal(401);
      expectInvalidToken(access);
      const renewal = await refresh(app.url, tokens.refreshToken);
      expect(renewal.status, `${label}: refresh token (${renewal.text})`).to.equal(401);
      expectInvalidToken(renewal);
    };

    const expectWorks = async (accessToken: string, label: string) => {
      const res = await me(app.url, accessToken);
      expect(res.status, `${label}: ${res.text}`).to.equal(200);
    };

    /** A user signed in three times: registration, then two logins with their own User-Agent. */
    const userWithThreeSessions = async () => {
      const reg = await register(app.url, uniqueEmail('sessions'));
      const laptop = expectTokenAnswer(await login(app.url, reg.email, GOOD_PASSWORD, { 'user-agent': 'Laptop/1.0 (Ünïcode)' }), 200);
      const phone = expectTokenAnswer(await login(app.url, reg.email, GOOD_PASSWORD, { 'user-agent': 'Phone/2.0' }), 200);
      return { reg, laptop, phone };
    };

    describe('GET /auth/sessions', () => {
      it('lists every live session once, flags the caller’s as current, and shows each User-Agent', async () => {
        const { reg, laptop, phone } = await userWithThreeSessions();

        const sessions = await listed(laptop.accessToken);

        expect(idsOf(sessions)).to.deep.equal([reg.accessToken, laptop.accessToken, phone.accessToken].map(sidOf).sort());
        expect(sessions.find((s) => s.id === sidOf(phone.accessToken))?.userAgent).to.equal('Phone/2.0');
        expect(sessions.find((s) => s.id === sidOf(laptop.accessToken))?.userAgent).to.equal('Laptop/1.0 (Ünïcode)');
        expect(idsOf(await listed(phone.accessToken)), 'the same list seen from another session').to.deep.equal(idsOf(sessions));
      });

      it('keeps a session’s id across refreshes and moves its lastUsedAt', async () => {
        const { laptop } = await userWithThreeSessions();
        const before = await listed(laptop.accessToken);
        const entry = before.find((s) => s.current);

        clock.advance(5);
        const second = expectTokenAnswer(await refresh(app.url, laptop.refreshToken), 200);
        clock.advance(5);
        const third = expectTokenAnswer(await refresh(app.url, second.refreshToken), 200);
        const after = await listed(third.accessToken);

        expect(sidOf(third.accessToken)).to.equal(sidOf(laptop.accessToken));
        expect(idsOf(after)).to.deep.equal(idsOf(before));
        const moved = after.find((s) => s.current);
        expect(moved?.id).to.equal(entry?.id);
        expect(moved?.createdAt, 'createdAt stays').to.equal(entry?.createdAt);
        expect(moved?.lastUsedAt, 'lastUsedAt is the last refresh').to.equal(clock.now().toISOString());
      });

      it('leaves out ended sessions and other users’ sessions', async () => {
        const { laptop, phone } = await userWithThreeSessions();
        const stranger = await register(app.url, uniqueEmail('stranger'));
        expect((await call(app.url, 'POST', '/auth/logout', { json: { refreshToken: phone.refreshToken } })).status).to.equal(204);

        const ids = idsOf(await listed(laptop.accessToken));

        expect(ids).to.have.length(2);
        expect(ids).to.not.include(sidOf(phone.accessToken));
        expect(ids).to.not.include(sidOf(stranger.accessToken));
      });
    });

    describe('DELETE /auth/sessions/:id', () => {
      it('ends that session’s access and refresh tokens at once, and only that session', async () => {
        const { reg, laptop, phone } = await userWithThreeSessions();

        const res = await endSession(laptop.accessToken, sidOf(phone.accessToken));

        expect(res.status, res.text).to.equal(204);
        await expectEnded(phone, 'the ended session');
        await expectWorks(laptop.accessToken, 'the caller');
        await expectWorks(reg.accessToken, 'the registration session');
        expect(idsOf(await listed(laptop.accessToken))).to.deep.equal([reg.accessToken, laptop.accessToken].map(sidOf).sort());
        expectTokenAnswer(await refresh(app.url, laptop.refreshToken), 200);
      });

      it('ends the caller’s own current session when given its id', async () => {
        const { laptop, phone } = await userWithThreeSessions();
        expect((await endSession(laptop.accessToken, sidOf(laptop.accessToken))).status).to.equal(204);
        await expectEnded(laptop, 'the caller’s own session');
        await expectWorks(phone.accessToken, 'another session');
      });

      it('answers 404 for another user’s session and leaves it working', async () => {
        const { laptop } = await userWithThreeSessions();
        const stranger = await register(app.url, uniqueEmail('stranger'));

        expectProblem(await endSession(laptop.accessToken, sidOf(stranger.accessToken)), 404, 'SESSION_NOT_FOUND');

        await expectWorks(stranger.accessToken, 'the stranger’s session');
        expectTokenAnswer(await refresh(app.url, stranger.refreshToken), 200);
      });

      it('answers the same 404 for an id that names no session, however long or odd', async () => {
        const { laptop } = await userWithThreeSessions();
        for (const id of ['00000000-0000-0000-0000-000000000000', 'x'.repeat(300), 'é🦄\'"; --']) {
          expectProblem(await endSession(laptop.accessToken, id), 404, 'SESSION_NOT_FOUND');
        }
        await expectWorks(laptop.accessToken, 'the caller');
      });

      it('answers 401 without a token, and ends nothing', async () => {
        const { laptop } = await userWithThreeSessions();
        expectProblem(await call(app.url, 'DELETE', `/auth/sessions/${sidOf(laptop.accessToken)}`), 401, 'TOKEN_MISSING');
        await expectWorks(laptop.accessToken, 'the named session');
      });

      it('answers 404 for a session it already ended, and leaves the ended session as it was', async () => {
        const { reg, laptop, phone } = await userWithThreeSessions();
        expect((await endSession(laptop.accessToken, sidOf(phone.accessToken))).status).to.equal(204);
        clock.advance(1);

        expectProblem(await endSession(laptop.accessToken, sidOf(phone.accessToken)), 404, 'SESSION_NOT_FOUND');
        expectProblem(await endSession(reg.accessToken, sidOf(phone.accessToken)), 404, 'SESSION_NOT_FOUND');

        await expectEnded(phone, 'the ended session');
        await expectWorks(laptop.accessToken, 'the caller');
        expect(idsOf(await listed(laptop.accessToken))).to.deep.equal([reg.accessToken, laptop.accessToken].map(sidOf).sort());
      });

      it('answers 404 for a session ended by logout, by logout-all or by a password change', async () => {
        const first = await userWithThreeSessions();
        expect((await call(app.url, 'POST', '/auth/logout', { json: { refreshToken: first.phone.refreshToken } })).status).to.equal(204);
        expectProblem(await endSession(first.laptop.accessToken, sidOf(first.phone.accessToken)), 404, 'SESSION_NOT_FOUND');

        const second = await userWithThreeSessions();
        expect((await logoutAll(second.phone.accessToken)).status).to.equal(204);
        const again = expectTokenAnswer(await login(app.url, second.reg.email), 200);
        expectProblem(await endSession(again.accessToken, sidOf(second.laptop.accessToken)), 404, 'SESSION_NOT_FOUND');

        const third = await userWithThreeSessions();
        const changed = expectTokenAnswer(await changePassword(third.phone.accessToken, GOOD_PASSWORD, NEW_PASSWORD), 200);
        expectProblem(await endSession(changed.accessToken, sidOf(third.laptop.accessToken)), 404, 'SESSION_NOT_FOUND');
        await expectWorks(changed.accessToken, 'the session the password change started');
      });
    });

    describe('POST /auth/logout', () => {
      it('ends the session when given a token just replaced, within the retry grace (204)', async () => {
        const reg = await register(app.url, uniqueEmail('logout-grace'));
        const next = expectTokenAnswer(await refresh(app.url, reg.refreshToken), 200);
        clock.advance(2);

        const out = await call(app.url, 'POST', '/auth/logout', { json: { refreshToken: reg.refreshToken } });

        expect(out.status, out.text).to.equal(204);
        await expectEnded(next, 'the session, by its newest tokens');
        expectInvalidToken(await call(app.url, 'POST', '/auth/logout', { json: { refreshToken: next.refreshToken } }));
      });
    });

    describe('POST /auth/logout-all', () => {
      it('ends every session’s access and refresh tokens at once, and no other user’s', async () => {
        const { reg, laptop, phone } = await userWithThreeSessions();
        const stranger = await register(app.url, uniqueEmail('stranger'));

        const res = await logoutAll(phone.accessToken);

        expect(res.status, res.text).to.equal(204);
        for (const [label, tokens] of [['registration', reg], ['laptop', laptop], ['phone (the caller)', phone]] as const) {
          await expectEnded(tokens, label);
        }
        await expectWorks(stranger.accessToken, 'another user');
      });

      it('lets a sign-in in the same second afterwards work', async () => {
        const { reg, laptop } = await userWithThreeSessions();
        expect((await logoutAll(laptop.accessToken)).status).to.equal(204);

        const again = expectTokenAnswer(await login(app.url, reg.email), 200);

        expect(decodeJwt(again.accessToken).payload.iat, 'the same second').to.equal(decodeJwt(laptop.accessToken).payload.iat);
        await expectWorks(again.accessToken, 'the new sign-in');
        expect(idsOf(await listed(again.accessToken))).to.deep.equal([sidOf(again.accessToken)]);
        expectTokenAnswer(await refresh(app.url, again.refreshToken), 200);
      });
    });

    describe('POST /auth/password', () => {
      it('ends every session, answers with a new working session, and swaps the passwords', async () => {
        const { reg, laptop, phone } = await userWithThreeSessions();

        const changed = expectTokenAnswer(await changePassword(laptop.accessToken, GOOD_PASSWORD, NEW_PASSWORD), 200);

        expect(changed.user.id).to.equal(reg.user.id);
        const fresh = sidOf(changed.accessToken);
        expect([reg, laptop, phone].map((t) => sidOf(t.accessToken)), 'a new session').to.not.include(fresh);
        for (const [label, tokens] of [['registration', reg], ['phone', phone], ['laptop (the caller)', laptop]] as const) {
          await expectEnded(tokens, label);
        }
        await expectWorks(changed.accessToken, 'the new session');
        expect(idsOf(await listed(changed.accessToken))).to.deep.equal([fresh]);
        const refreshed = expectTokenAnswer(await refresh(app.url, changed.refreshToken), 200);
        expect(sidOf(refreshed.accessToken)).to.equal(fresh);

        expectProblem(await login(app.url, reg.email, GOOD_PASSWORD), 401, 'INVALID_CREDENTIALS');
        expectTokenAnswer(await login(app.url, reg.email, NEW_PASSWORD), 200);
      });

      it('refuses a wrong current password with 401 INVALID_CREDENTIALS and changes nothing', async () => {
        const { reg, laptop, phone } = await userWithThreeSessions();

        expectProblem(await changePassword(laptop.accessToken, 'not the password', NEW_PASSWORD), 401, 'INVALID_CREDENTIALS');

        await expectWorks(laptop.accessToken, 'the caller');
        await expectWorks(phone.accessToken, 'another session');
        expectTokenAnswer(await login(app.url, reg.email, GOOD_PASSWORD), 200);
        expectProblem(await login(app.url, reg.email, NEW_PASSWORD), 401, 'INVALID_CREDENTIALS');
      });
    });

    describe('cookie mode', () => {
      const cookieLogin = (email: string) =>
        call(app.url, 'POST', '/auth/login', { json: { email, password: GOOD_PASSWORD }, headers: { 'x-auth-mode': 'cookie' } });

      it('signs in with cookies, refreshes with cookies and X-CSRF-Token, and keeps the session id', async () => {
        const reg = await register(app.url, uniqueEmail('cookie'));
        const jar = new CookieJar();

        const signedIn = await cookieLogin(reg.email);
        jar.take(signedIn);
        expect(signedIn.status, signedIn.text).to.equal(200);
        expect(signedIn.headers.get('cache-control') ?? '').to.match(/\bno-store\b/);
        expect(Object.keys(signedIn.body as object).sort()).to.deep.equal(['expiresIn', 'user']);
        expectUser((signedIn.body as { user: unknown }).user);
        expect(jar.names()).to.deep.equal(['access_token', 'csrf_token', 'refresh_token']);
        const access = jar.get('access_token') ?? '';
        const refreshCookie = jar.get('refresh_token') ?? '';
        const csrf = jar.get('csrf_token') ?? '';
        const sid = sidOf(access);

        const byCookie = await call<SessionView[]>(app.url, 'GET', '/auth/sessions', { headers: jar.header() });
        expect(byCookie.status, byCookie.text).to.equal(200);
        expect(byCookie.body.filter((s) => s.current).map((s) => s.id)).to.deep.equal([sid]);

        expectProblem(await call(app.url, 'POST', '/auth/refresh', { headers: jar.header() }), 403, 'CSRF_FAILED');
        expectProblem(
          await call(app.url, 'POST', '/auth/refresh', { headers: { ...jar.header(), 'x-csrf-token': 'not-the-token' } }),
          403,
          'CSRF_FAILED',
        );

        clock.advance(1);
        const refreshed = await call(app.url, 'POST', '/auth/refresh', { headers: { ...jar.header(), 'x-csrf-token': csrf } });
        expect(refreshed.status, refreshed.text).to.equal(200);
        expect(Object.keys(refreshed.body as object).sort(), 'no token in the body').to.deep.equal(['expiresIn', 'user']);
        jar.take(refreshed);
        expect(jar.get('refresh_token'), 'a rotated refresh cookie').to.be.a('string').and.not.equal(refreshCookie);
        expect(jar.get('access_token'), 'a new access cookie').to.be.a('string').and.not.equal(access);
        expect(jar.get('csrf_token'), 'the CSRF token stays for the session').to.equal(csrf);
        expect(sidOf(jar.get('access_token') ?? ''), 'the same session').to.equal(sid);

        const meByCookie = await call(app.url, 'GET', '/auth/me', { headers: jar.header() });
        expect(meByCookie.status, meByCookie.text).to.equal(200);
        expect((meByCookie.body as { id: string }).id).to.equal(reg.user.id);
      });

      it('ends the session with a cookie logout carrying X-CSRF-Token, and clears the three cookies', async () => {
        const reg = await register(app.url, uniqueEmail('cookie-out'));
        const jar = new CookieJar().take(await cookieLogin(reg.email));
        const access = jar.get('access_token') ?? '';
        const refreshCookie = jar.get('refresh_token') ?? '';
        expect(access).to.not.equal('');

        expectProblem(await call(app.url, 'POST', '/auth/logout', { headers: jar.header() }), 403, 'CSRF_FAILED');
        const out = await call(app.url, 'POST', '/auth/logout', { headers: { ...jar.header(), 'x-csrf-token': jar.get('csrf_token') ?? '' } });

        expect(out.status, out.text).to.equal(204);
        jar.take(out);
        expect(jar.names(), 'cookies left').to.deep.equal([]);
        await expectEnded({ accessToken: access, refreshToken: refreshCookie }, 'the cookie session');
      });

      it('ends every session with a cookie logout-all, and with DELETE of the own session, clearing the cookies each time', async () => {
        const reg = await register(app.url, uniqueEmail('cookie-all'));
        const csrfOf = (jar: CookieJar) => ({ ...jar.header(), 'x-csrf-token': jar.get('csrf_token') ?? '' });

        const everywhere = new CookieJar().take(await cookieLogin(reg.email));
        const tokens = { accessToken: everywhere.get('access_token') ?? '', refreshToken: everywhere.get('refresh_token') ?? '' };
        expectProblem(await call(app.url, 'POST', '/auth/logout-all', { headers: everywhere.header() }), 403, 'CSRF_FAILED');
        const all = await call(app.url, 'POST', '/auth/logout-all', { headers: csrfOf(everywhere) });
        expect(all.status, all.text).to.equal(204);
        expect(everywhere.take(all).names(), 'cookies left after logout-all').to.deep.equal([]);
        await expectEnded(tokens, 'the cookie session');
        await expectEnded(reg, 'the Bearer session');

        const single = new CookieJar().take(await cookieLogin(reg.email));
        const own = { accessToken: single.get('access_token') ?? '', refreshToken: single.get('refresh_token') ?? '' };
        const path = `/auth/sessions/${sidOf(own.accessToken)}`;
        expectProblem(await call(app.url, 'DELETE', path, { headers: single.header() }), 403, 'CSRF_FAILED');
        const ended = await call(app.url, 'DELETE', path, { headers: csrfOf(single) });
        expect(ended.status, ended.text).to.equal(204);
        expect(single.take(ended).names(), 'cookies left after ending the own session').to.deep.equal([]);
        await expectEnded(own, 'the own session');
      });

      it('changes the password by cookie: the answer comes as new cookies with a new CSRF token, and the old session ends', async () => {
        const reg = await register(app.url, uniqueEmail('cookie-pw'));
        const jar = new CookieJar().take(await cookieLogin(reg.email));
        const old = { accessToken: jar.get('access_token') ?? '', refreshToken: jar.get('refresh_token') ?? '' };
        const oldCsrf = jar.get('csrf_token') ?? '';
        const body = { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD };

        expectProblem(await call(app.url, 'POST', '/auth/password', { json: body, headers: jar.header() }), 403, 'CSRF_FAILED');
        const changed = await call(app.url, 'POST', '/auth/password', { json: body, headers: { ...jar.header(), 'x-csrf-token': oldCsrf } });

        expect(changed.status, changed.text).to.equal(200);
        expect(Object.keys(changed.body as object).sort(), 'no token in the body').to.deep.equal(['expiresIn', 'user']);
        jar.take(changed);
        expect(jar.names()).to.deep.equal(['access_token', 'csrf_token', 'refresh_token']);
        expect(jar.get('csrf_token'), 'a new sign-in gets a new CSRF token').to.not.equal(oldCsrf);
        expect(sidOf(jar.get('access_token') ?? '')).to.not.equal(sidOf(old.accessToken));
        await expectEnded(old, 'the session that changed the password');
        const meByCookie = await call(app.url, 'GET', '/auth/me', { headers: jar.header() });
        expect(meByCookie.status, meByCookie.text).to.equal(200);
        const refreshed = await call(app.url, 'POST', '/auth/refresh', { headers: { ...jar.header(), 'x-csrf-token': jar.get('csrf_token') ?? '' } });
        expect(refreshed.status, refreshed.text).to.equal(200);
      });
    });
  });
}
