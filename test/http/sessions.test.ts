import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail } from '../support/http.js';
import {
  asApiResponse,
  expectInvalidToken,
  expectProblem,
  expectTokenAnswer,
  login,
  logout,
  me,
  rawRequest,
  refresh,
  secretKeysIn,
  type TokenAnswer,
} from './helpers.js';
import { SESSION_KEYS, sidOf, type SessionView } from './web-client.js';

describe('GET /auth/sessions and DELETE /auth/sessions/:id', () => {
  let app: TestApp;
  let clock: FixedClock;
  before(async () => {
    clock = new FixedClock(new Date());
    app = await startTestApp({ clock });
  });
  after(() => app.close());

  const sessionsOf = (accessToken: string) => call<SessionView[]>(app.url, 'GET', '/auth/sessions', { headers: bearer(accessToken) });
  const endSession = (accessToken: string, id: string) =>
    call(app.url, 'DELETE', `/auth/sessions/${encodeURIComponent(id)}`, { headers: bearer(accessToken) });

  /** The listing, checked for shape: exactly the six keys, ISO dates, nothing secret, the caller's session the one current. */
  const listed = async (accessToken: string): Promise<SessionView[]> => {
    const res = await sessionsOf(accessToken);
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('content-type') ?? '').to.match(/^application\/json\b/);
    expect(res.body).to.be.an('array');
    for (const s of res.body) {
      expect(Object.keys(s).sort()).to.deep.equal([...SESSION_KEYS]);
      expect(s.id).to.be.a('string').and.not.equal('');
      expect(new Date(s.createdAt).toISOString()).to.equal(s.createdAt);
      expect(new Date(s.lastUsedAt).toISOString()).to.equal(s.lastUsedAt);
      expect(s.current).to.be.a('boolean');
    }
    expect(secretKeysIn(res.body)).to.deep.equal([]);
    expect(res.text, 'a token in the listing').to.not.match(/eyJ[\w-]*\./);
    expect(res.body.filter((s) => s.current).map((s) => s.id), 'exactly one current session: the caller’s').to.deep.equal([sidOf(accessToken)]);
    return res.body;
  };
  const idsOf = (sessions: readonly SessionView[]) => sessions.map((s) => s.id).sort();

  const expectEnded = async (tokens: { accessToken: string; refreshToken: string }, label: string) => {
    const access = await me(app.url, tokens.accessToken);
    expect(access.status, `${label}: access token`).to.equal(401);
    expectInvalidToken(access);
    expectInvalidToken(await refresh(app.url, tokens.refreshToken));
  };
  const expectWorks = async (tokens: { accessToken: string }, label: string) => {
    const res = await me(app.url, tokens.accessToken);
    expect(res.status, `${label}: ${res.text}`).to.equal(200);
  };

  /** A user signed in three times, each with its own User-Agent. */
  const threeSessions = async () => {
    const email = uniqueEmail('sessions');
    const reg = expectTokenAnswer(
      await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: { 'user-agent': 'Registrar/0.1' } }),
      201,
    );
    const laptop = expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, { 'user-agent': 'Laptop/1.0 (X11; Ünïcode)' }), 200);
    const phone = expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, { 'user-agent': 'Phone/2.0' }), 200);
    return { email, reg, laptop, phone };
  };

  describe('GET /auth/sessions', () => {
    it('lists every live session of the caller with id, createdAt, lastUsedAt, userAgent and current', async () => {
      const { reg, laptop, phone } = await threeSessions();

      const sessions = await listed(laptop.accessToken);

      expect(idsOf(sessions)).to.deep.equal([reg, laptop, phone].map((t) => sidOf(t.accessToken)).sort());
      const byId = new Map(sessions.map((s) => [s.id, s]));
      expect(byId.get(sidOf(reg.accessToken))?.userAgent).to.equal('Registrar/0.1');
      expect(byId.get(sidOf(laptop.accessToken))?.userAgent).to.equal('Laptop/1.0 (X11; Ünïcode)');
      expect(byId.get(sidOf(phone.accessToken))?.userAgent).to.equal('Phone/2.0');
      for (const s of sessions) expect(s.createdAt, 'a session not yet refreshed was last used when created').to.equal(s.lastUsedAt);
    });

    it('labels each session with the device its User-Agent names, and null when there is none', async () => {
      const email = uniqueEmail('devices');
      const mac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
      const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
      const reg = expectTokenAnswer(await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD }, headers: { 'user-agent': mac } }), 201);
      const phone = expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, { 'user-agent': iphone }), 200);
      const script = expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, { 'user-agent': 'curl/8.5.0' }), 200);
      const odd = expectTokenAnswer(await login(app.url, email, GOOD_PASSWORD, { 'user-agent': '<b>??</b>' }), 200);

      const byId = new Map((await listed(reg.accessToken)).map((s) => [s.id, s]));
      const seen = (t: TokenAnswer) => [byId.get(sidOf(t.accessToken))?.device, byId.get(sidOf(t.accessToken))?.userAgent];
      expect(seen(reg)).to.deep.equal(['Chrome on macOS', mac]);
      expect(seen(phone)).to.deep.equal(['Safari on iOS', iphone]);
      expect(seen(script)).to.deep.equal(['curl', 'curl/8.5.0']);
      expect(seen(odd)).to.deep.equal([null, '<b>??</b>']);
    });

    it('marks as current the session of whoever asks', async () => {
      const { reg, laptop, phone } = await threeSessions();
      for (const tokens of [reg, laptop, phone]) await listed(tokens.accessToken);
    });

    it('shows userAgent null for a sign-in that sent no User-Agent', async () => {
      const email = uniqueEmail('no-ua');
      const raw = await rawRequest(app.url, {
        method: 'POST',
        path: '/auth/register',
        headers: { 'content-type': 'application/json' },
        chunks: [JSON.stringify({ email, password: GOOD_PASSWORD })],
      });
      const reg = expectTokenAnswer(asApiResponse(raw), 201);
      const [only] = await listed(reg.accessToken);
      expect(only?.userAgent).to.equal(null);
      expect(only?.device).to.equal(null);
    });

    it('keeps a session’s id and createdAt across refreshes and moves its lastUsedAt', async () => {
      const { laptop } = await threeSessions();
      const before = (await listed(laptop.accessToken)).find((s) => s.current);

      clock.advance(7);
      const second = expectTokenAnswer(await refresh(app.url, laptop.refreshToken), 200);
      clock.advance(11);
      const third = expectTokenAnswer(await refresh(app.url, second.refreshToken), 200);
      const after = await listed(third.accessToken);

      const moved = after.find((s) => s.current);
      expect(moved?.id, 'the same id').to.equal(before?.id);
      expect(moved?.createdAt, 'createdAt stays').to.equal(before?.createdAt);
      expect(moved?.lastUsedAt, 'lastUsedAt is the last refresh').to.equal(clock.now().toISOString());
      expect(new Date(moved?.lastUsedAt ?? 0).getTime()).to.be.greaterThan(new Date(before?.lastUsedAt ?? 0).getTime());
      expect(after).to.have.length(3);
    });

    it('leaves out ended sessions (logout, DELETE) and other users’ sessions', async () => {
      const { reg, laptop, phone } = await threeSessions();
      const stranger = await register(app.url, uniqueEmail('stranger'));
      expect((await logout(app.url, phone.refreshToken)).status).to.equal(204);
      expect((await endSession(laptop.accessToken, sidOf(reg.accessToken))).status).to.equal(204);

      const ids = idsOf(await listed(laptop.accessToken));

      expect(ids).to.deep.equal([sidOf(laptop.accessToken)]);
      expect(ids).to.not.include(sidOf(stranger.accessToken));
    });

    it('answers 401 TOKEN_MISSING without a token, and 401 INVALID_TOKEN with a refresh token', async () => {
      const r = await register(app.url);
      expectProblem(await call(app.url, 'GET', '/auth/sessions'), 401, 'TOKEN_MISSING');
      expectInvalidToken(await sessionsOf(r.refreshToken));
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it('answers 204 with no body and ends that session: its refresh AND access tokens fail at once', async () => {
      const { reg, laptop, phone } = await threeSessions();

      const res = await endSession(laptop.accessToken, sidOf(phone.accessToken));

      expect(res.status, res.text).to.equal(204);
      expect(res.text).to.equal('');
      await expectEnded(phone, 'the ended session');
      await expectWorks(laptop, 'the caller');
      await expectWorks(reg, 'the third session');
      expectTokenAnswer(await refresh(app.url, laptop.refreshToken), 200);
    });

    it('ends a session whose access token was issued before its last refresh (every access token of it)', async () => {
      const { laptop, phone } = await threeSessions();
      const older = phone.accessToken;
      clock.advance(1);
      const newer = expectTokenAnswer(await refresh(app.url, phone.refreshToken), 200);

      expect((await endSession(laptop.accessToken, sidOf(older))).status).to.equal(204);

      expectInvalidToken(await me(app.url, older));
      await expectEnded(newer, 'the refreshed session');
    });

    it('ends the caller’s own current session when given its id', async () => {
      const { laptop, phone } = await threeSessions();
      expect((await endSession(laptop.accessToken, sidOf(laptop.accessToken))).status).to.equal(204);
      await expectEnded(laptop, 'the caller’s own session');
      await expectWorks(phone, 'another session');
    });

    it('answers 404 SESSION_NOT_FOUND for another user’s session, and that session is NOT ended', async () => {
      const { laptop } = await threeSessions();
      const stranger = await register(app.url, uniqueEmail('stranger'));

      expectProblem(await endSession(laptop.accessToken, sidOf(stranger.accessToken)), 404, 'SESSION_NOT_FOUND');

      await expectWorks(stranger, 'the stranger’s session');
      expectTokenAnswer(await refresh(app.url, stranger.refreshToken), 200);
      await expectWorks(laptop, 'the caller');
    });

    it('answers the same 404 for an unknown or odd id as for a foreign one, and never revives an ended session', async () => {
      const { laptop, phone } = await threeSessions();
      expect((await endSession(laptop.accessToken, sidOf(phone.accessToken))).status).to.equal(204);
      const stranger = await register(app.url, uniqueEmail('stranger'));
      const foreign = await endSession(laptop.accessToken, sidOf(stranger.accessToken));
      for (const id of ['00000000-0000-0000-0000-000000000000', 'x'.repeat(300), 'é🦄\'"; --', sidOf(phone.accessToken)]) {
        const res = await endSession(laptop.accessToken, id);
        if (id === sidOf(phone.accessToken)) {
          // An ended session of the caller's: 204 or 404 are both honest; it must not come back to life.
          expect([204, 404], `${id}: ${res.text}`).to.include(res.status);
        } else {
          const problem = expectProblem(res, 404, 'SESSION_NOT_FOUND');
          expect({ ...problem, detail: '' }, 'unknown and foreign look the same').to.deep.equal({ ...(foreign.body as object), detail: '' });
        }
      }
      await expectEnded(phone, 'the ended session');
      await expectWorks(laptop, 'the caller');
    });

    it('answers 401 without a token, and ends nothing', async () => {
      const { laptop } = await threeSessions();
      expectProblem(await call(app.url, 'DELETE', `/auth/sessions/${sidOf(laptop.accessToken)}`), 401, 'TOKEN_MISSING');
      expectInvalidToken(await call(app.url, 'DELETE', `/auth/sessions/${sidOf(laptop.accessToken)}`, { headers: bearer('not.a.token') }));
      await expectWorks(laptop, 'the named session');
    });

    it('refuses an ended session’s access token as the caller (401), and ends nothing', async () => {
      const { laptop, phone }: { laptop: TokenAnswer; phone: TokenAnswer } = await threeSessions();
      expect((await logout(app.url, laptop.refreshToken)).status).to.equal(204);
      expectInvalidToken(await endSession(laptop.accessToken, sidOf(phone.accessToken)));
      await expectWorks(phone, 'the named session');
    });
  });
});
