import { expect } from 'chai';
import type { TestApp } from '../support/app.js';
import { DATABASE_BACKENDS } from '../support/backends.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, GOOD_PASSWORD, register } from '../support/http.js';
import { decodeJwt, expectInvalidToken, expectTokenAnswer, login, me, NO_THROTTLE, refresh, type TokenAnswer } from './helpers.js';

/** docs/http-api.md, Limits: at most SESSIONS_PER_USER_MAX live sessions per user; a sign-in past it ends the least recently used. */

const MAX = 3;
const sidOf = (token: string): string => decodeJwt(token).payload.sid;

for (const backend of DATABASE_BACKENDS) {
  describe(`sessions per user (SESSIONS_PER_USER_MAX=${MAX}) on ${backend.name}`, function () {
    this.timeout(30_000);

    let app: TestApp;
    let clock: FixedClock;
    let stop: (() => Promise<void>) | undefined;
    before(async function () {
      if (!(await backend.available())) this.skip();
      clock = new FixedClock(new Date());
      ({ app, stop } = await backend.start({ clock, env: { ...NO_THROTTLE, SESSIONS_PER_USER_MAX: String(MAX) } }));
    });
    after(async () => {
      if (stop) await stop();
    });

    /** A sign-in a second after the last thing that happened. */
    const signIn = async (email: string): Promise<TokenAnswer> => {
      clock.advance(1);
      return expectTokenAnswer(await login(app.url, email), 200);
    };
    const liveSessionIds = async (accessToken: string): Promise<string[]> => {
      const res = await call(app.url, 'GET', '/auth/sessions', { headers: bearer(accessToken) });
      expect(res.status, res.text).to.equal(200);
      return (res.body as Array<{ id: string }>).map((s) => s.id).sort();
    };
    const expectEnded = async (tokens: { accessToken: string; refreshToken: string }) => {
      expectInvalidToken(await me(app.url, tokens.accessToken));
      expectInvalidToken(await refresh(app.url, tokens.refreshToken));
    };

    it(`ends the least recently used session at the sign-in that makes ${MAX + 1}: its tokens fail, the others work`, async () => {
      const registered = await register(app.url);
      const second = await signIn(registered.email);
      const third = await signIn(registered.email);
      expect(await liveSessionIds(third.accessToken), `${MAX} sessions: none ended yet`).to.have.length(MAX);
      // Read just before, so an instance's cache holds it as live (CACHE_TTL_MS on SQLite).
      expect((await me(app.url, registered.accessToken)).status).to.equal(200);

      const fourth = await signIn(registered.email);

      await expectEnded(registered);
      for (const tokens of [second, third, fourth]) expect((await me(app.url, tokens.accessToken)).status).to.equal(200);
      expect(await liveSessionIds(fourth.accessToken)).to.deep.equal([second, third, fourth].map((t) => sidOf(t.accessToken)).sort());
    });

    it('goes by use, not by age: a session refreshed since outlives one signed in after it', async () => {
      const registered = await register(app.url);
      const second = await signIn(registered.email);
      const third = await signIn(registered.email);
      clock.advance(1);
      const refreshed = expectTokenAnswer(await refresh(app.url, registered.refreshToken), 200);

      const fourth = await signIn(registered.email);

      await expectEnded(second);
      expect((await me(app.url, refreshed.accessToken)).status, 'the oldest, refreshed').to.equal(200);
      expect(await liveSessionIds(fourth.accessToken)).to.deep.equal([registered, third, fourth].map((t) => sidOf(t.accessToken)).sort());
    });

    it(`leaves exactly ${MAX} live sessions when 8 sign-ins of one user arrive at once`, async () => {
      const registered = await register(app.url);
      clock.advance(1);

      const answers = await Promise.all(Array.from({ length: 8 }, () => login(app.url, registered.email, GOOD_PASSWORD)));

      const tokens = answers.map((res) => expectTokenAnswer(res, 200));
      const working = [];
      for (const t of [registered, ...tokens]) if ((await me(app.url, t.accessToken)).status === 200) working.push(t);
      expect(working, 'sessions whose tokens still work').to.have.length(MAX);
      expect(await liveSessionIds(working[0]?.accessToken ?? '')).to.deep.equal(working.map((t) => sidOf(t.accessToken)).sort());
    });

    it('counts each user on their own', async () => {
      const alice = await register(app.url);
      const bob = await register(app.url);
      for (let i = 0; i < MAX; i++) await signIn(alice.email);

      expect((await me(app.url, bob.accessToken)).status, 'bob’s only session').to.equal(200);
    });
  });
}
