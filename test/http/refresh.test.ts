import { expect } from 'chai';
import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app.js';
import { FixedClock } from '../support/fixed-clock.js';
import { bearer, call, register } from '../support/http.js';
import {
  decodeJwt,
  expectInvalidToken,
  expectTokenAnswer,
  login,
  me,
  refresh,
  refreshWithHeader,
  signAccess,
  signRefresh,
  TEST_ACCESS_SECRET,
  TEST_REFRESH_SECRET,
  type TokenAnswer,
} from './helpers.js';

const jtiOf = (token: string) => decodeJwt(token).payload.jti;

/**
 * The in-memory store, but every call first yields to the event loop, as a database would:
 * concurrent requests then really interleave between reading a session and rotating it.
 */
function yieldingStore(inner: TokenStore): TokenStore {
  const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    create: async (...a) => (await pause(), inner.create(...a)),
    find: async (...a) => (await pause(), inner.find(...a)),
    rotate: async (...a) => (await pause(), inner.rotate(...a)),
    end: async (...a) => (await pause(), inner.end(...a)),
    endAllForUser: async (...a) => (await pause(), inner.endAllForUser(...a)),
    listLive: async (...a) => (await pause(), inner.listLive(...a)),
    prune: async (...a) => (await pause(), inner.prune(...a)),
  };
}

const interleaving: TestAppOptions['override'] = (c) => c.register(TOKENS.TokenStore, { useValue: yieldingStore(new InMemoryTokenStore()) });

async function tenConcurrentRefreshes(app: TestApp) {
  const r = await register(app.url);
  const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(app.url, r.refreshToken)));
  return { r, answers };
}

describe('POST /auth/refresh', () => {
  describe('rotation', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
    });
    after(() => app.close());

    it('accepts the refresh token in the body and answers a new access AND refresh token', async () => {
      const r = await register(app.url);
      const body = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      expect(body.refreshToken).to.not.equal(r.refreshToken);
      expect(body.accessToken).to.not.equal(r.accessToken);
      expect(jtiOf(body.refreshToken)).to.not.equal(jtiOf(r.refreshToken));
      expect(body.expiresIn).to.equal(900);
      expect(body.user.id).to.equal(r.user.id);
      expect((await me(app.url, body.accessToken)).status).to.equal(200);
    });

    it('accepts the refresh token as Authorization: Bearer', async () => {
      const r = await register(app.url);
      const body = expectTokenAnswer(await refreshWithHeader(app.url, r.refreshToken), 200);
      expect(jtiOf(body.refreshToken)).to.not.equal(jtiOf(r.refreshToken));
    });

    it('keeps the session id across refreshes', async () => {
      const r = await register(app.url);
      const body = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      const sid = decodeJwt(r.refreshToken).payload.sid;
      expect(decodeJwt(body.refreshToken).payload.sid).to.equal(sid);
      expect(decodeJwt(body.accessToken).payload.sid).to.equal(sid);
    });

    it('lets the newest token rotate again, many times', async () => {
      const r = await register(app.url);
      let token = r.refreshToken;
      for (let i = 0; i < 5; i++) token = expectTokenAnswer(await refresh(app.url, token), 200).refreshToken;
      expect((await refresh(app.url, token)).status).to.equal(200);
    });

    it('leaves the access tokens of the session valid after a rotation', async () => {
      const r = await register(app.url);
      expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      expect((await me(app.url, r.accessToken)).status).to.equal(200);
    });
  });

  describe('failures: every one is 401 INVALID_TOKEN with WWW-Authenticate: Bearer error="invalid_token"', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
    });
    after(() => app.close());

    it('refuses a request with no refresh token', async () => {
      expectInvalidToken(await call(app.url, 'POST', '/auth/refresh'));
      expectInvalidToken(await call(app.url, 'POST', '/auth/refresh', { json: {} }));
    });

    it('refuses a refreshToken that is not a string', async () => {
      expectInvalidToken(await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: 12345 } }));
      expectInvalidToken(await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: { jti: 'x' } } }));
    });

    it('refuses malformed tokens', async () => {
      for (const token of ['garbage', 'a.b.c', 'x'.repeat(500), 'eyJhbGciOiJIUzI1NiJ9..', '....']) {
        expectInvalidToken(await refresh(app.url, token));
      }
    });

    it('refuses an expired refresh token of a live session', async () => {
      const r = await register(app.url);
      const { sub, sid } = decodeJwt(r.refreshToken).payload;
      const past = Math.floor(Date.now() / 1000) - 3600;
      expectInvalidToken(await refresh(app.url, signRefresh({ sub, sid, iat: past - 60, exp: past })));
    });

    it('refuses a well-signed refresh token that was never issued (unknown session)', async () => {
      const r = await register(app.url);
      expectInvalidToken(await refresh(app.url, signRefresh({ sub: r.user.id, sid: 'f0000000-0000-4000-8000-000000000000' })));
    });

    it('refuses an access token presented as a refresh token (body and header)', async () => {
      const r = await register(app.url);
      expectInvalidToken(await refresh(app.url, r.accessToken));
      expectInvalidToken(await refreshWithHeader(app.url, r.accessToken));
      expect((await refresh(app.url, r.refreshToken)).status, 'the real refresh token still works').to.equal(200);
    });

    it('refuses a token signed with the access key and typed as a refresh token', async () => {
      const r = await register(app.url);
      const { sub, sid, jti } = decodeJwt(r.refreshToken).payload;
      expectInvalidToken(await refresh(app.url, signRefresh({ sub, sid, jti }, { secret: TEST_ACCESS_SECRET })));
    });

    it('refuses a token signed with the refresh key but typed as an access token', async () => {
      const r = await register(app.url);
      const { sub, sid, jti } = decodeJwt(r.refreshToken).payload;
      expectInvalidToken(await refresh(app.url, signAccess({ sub, sid, jti }, { secret: TEST_REFRESH_SECRET })));
    });

    it('refuses a refresh token whose payload was tampered with', async () => {
      const a = await register(app.url);
      const b = await register(app.url);
      const [header, , signature] = a.refreshToken.split('.');
      const payload = { ...decodeJwt(a.refreshToken).payload, sub: b.user.id };
      const forged = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      expectInvalidToken(await refresh(app.url, forged));
    });
  });

  describe('reuse detection and the retry grace (REFRESH_REUSE_GRACE_SECONDS=10)', () => {
    let app: TestApp;
    let clock: FixedClock;
    beforeEach(async () => {
      clock = new FixedClock(new Date());
      app = await startTestApp({ clock });
    });
    afterEach(() => app.close());

    it('returns the SAME successor (same jti) to a retry within the grace window', async () => {
      const r = await register(app.url);
      const first = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      clock.advance(3);
      const retry = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      expect(jtiOf(retry.refreshToken)).to.equal(jtiOf(first.refreshToken));
      expect(decodeJwt(retry.refreshToken).payload.exp, 'the retry never extends the refresh token').to.equal(
        decodeJwt(first.refreshToken).payload.exp,
      );
      expect((await me(app.url, retry.accessToken)).status).to.equal(200);
      expectTokenAnswer(await refresh(app.url, first.refreshToken), 200);
    });

    it('revokes the whole family when a replaced token is presented again after the grace window', async () => {
      const r = await register(app.url);
      const next = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      clock.advance(11);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
      expectInvalidToken(await refresh(app.url, next.refreshToken));
      expectInvalidToken(await me(app.url, next.accessToken));
    });

    it('does not extend the grace window by a retry', async () => {
      const r = await register(app.url);
      const next = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      clock.advance(6);
      expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      clock.advance(6);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
      expectInvalidToken(await refresh(app.url, next.refreshToken));
    });

    it('treats an older ancestor as reuse even within the grace window, and revokes the family', async () => {
      const r = await register(app.url);
      const second = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      const third = expectTokenAnswer(await refresh(app.url, second.refreshToken), 200);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
      expectInvalidToken(await refresh(app.url, third.refreshToken));
      expectInvalidToken(await me(app.url, third.accessToken));
    });

    it('treats the replaced token as reuse once its successor has itself been replaced', async () => {
      const r = await register(app.url);
      const second = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      const third = expectTokenAnswer(await refresh(app.url, second.refreshToken), 200);
      // `second` is the token just replaced, and its successor `third` is the newest: a retry.
      expect(jtiOf(expectTokenAnswer(await refresh(app.url, second.refreshToken), 200).refreshToken)).to.equal(jtiOf(third.refreshToken));
      const fourth = expectTokenAnswer(await refresh(app.url, third.refreshToken), 200);
      expectInvalidToken(await refresh(app.url, second.refreshToken));
      expectInvalidToken(await refresh(app.url, fourth.refreshToken));
    });

    it('leaves other sessions of the same user alone when one family is revoked', async () => {
      const r = await register(app.url);
      const other = expectTokenAnswer(await login(app.url, r.email), 200);
      expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      clock.advance(11);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
      expectTokenAnswer(await refresh(app.url, other.refreshToken), 200);
    });
  });

  describe('10 concurrent refreshes of one token', () => {
    for (const [store, override] of [['the in-memory store', undefined], ['a store that yields between calls', interleaving]] as const) {
      describe(`on ${store}`, () => {
        let withGrace: TestApp;
        let noGrace: TestApp;
        before(async () => {
          withGrace = await startTestApp(override ? { override } : {});
          noGrace = await startTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' }, ...(override ? { override } : {}) });
        });
        after(async () => {
          await withGrace.close();
          await noGrace.close();
        });

        it('with grace: all get 200 and one identical successor, which still works', async () => {
          const { r, answers } = await tenConcurrentRefreshes(withGrace);
          expect(answers.map((a) => a.status)).to.deep.equal(Array(10).fill(200));
          const jtis = new Set(answers.map((a) => jtiOf((a.body as TokenAnswer).refreshToken)));
          expect(jtis.size).to.equal(1);
          expect(jtis.has(jtiOf(r.refreshToken))).to.equal(false);
          expectTokenAnswer(await refresh(withGrace.url, (answers[0]?.body as TokenAnswer).refreshToken), 200);
        });

        it('without grace: exactly one gets 200, the others 401 INVALID_TOKEN', async () => {
          const { answers } = await tenConcurrentRefreshes(noGrace);
          expect(answers.map((a) => a.status).sort()).to.deep.equal([200, ...Array(9).fill(401)]);
          for (const a of answers.filter((x) => x.status === 401)) expectInvalidToken(a);
        });

        it('without grace: the concurrent reuse revokes the family, the one winner’s successor included', async () => {
          const { answers } = await tenConcurrentRefreshes(noGrace);
          const winner = answers.find((a) => a.status === 200)?.body as TokenAnswer | undefined;
          expect(winner).to.not.equal(undefined);
          expectInvalidToken(await refresh(noGrace.url, winner?.refreshToken ?? ''));
        });
      });
    }
  });

  describe('without grace (REFRESH_REUSE_GRACE_SECONDS=0)', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
    });
    after(() => app.close());

    it('treats an immediate second use of a token as reuse and revokes the family', async () => {
      const r = await register(app.url);
      const next = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
      expectInvalidToken(await refresh(app.url, next.refreshToken));
      expectInvalidToken(await me(app.url, next.accessToken));
    });
  });

  describe('session max age (SESSION_MAX_AGE=60)', () => {
    let app: TestApp;
    let clock: FixedClock;
    let start: number;
    beforeEach(async () => {
      clock = new FixedClock(new Date());
      start = clock.now().getTime();
      app = await startTestApp({ clock, env: { SESSION_MAX_AGE: '60' } });
    });
    afterEach(() => app.close());

    const expectWithinSession = (body: TokenAnswer) => {
      for (const token of [body.accessToken, body.refreshToken]) {
        expect(decodeJwt(token).payload.exp * 1000).to.be.at.most(start + 60_000);
      }
    };

    it('issues no token with an exp past sign-in + SESSION_MAX_AGE, even after refreshes', async () => {
      const reg = await call<TokenAnswer>(app.url, 'POST', '/auth/register', { json: { email: `max.${Date.now()}@example.com`, password: 'correct horse battery' } });
      let body = expectTokenAnswer(reg, 201);
      expectWithinSession(body);
      expect(body.expiresIn).to.be.at.most(60);
      for (const step of [20, 20, 15]) {
        clock.advance(step);
        body = expectTokenAnswer(await refresh(app.url, body.refreshToken), 200);
        expectWithinSession(body);
        expect(body.expiresIn).to.be.at.most(60 - (clock.now().getTime() - start) / 1000);
      }
    });

    it('ends the session at sign-in + SESSION_MAX_AGE however often it was refreshed', async () => {
      const r = await register(app.url);
      clock.advance(30);
      const body = expectTokenAnswer(await refresh(app.url, r.refreshToken), 200);
      clock.advance(31);
      expectInvalidToken(await refresh(app.url, body.refreshToken));
      // Its access token was issued with `exp` at the session's end, so by the clock it has expired.
      expectInvalidToken(await me(app.url, body.accessToken), 'TOKEN_EXPIRED');
    });

    it('starts a new window at each sign-in', async () => {
      const r = await register(app.url);
      clock.advance(45);
      const fresh = expectTokenAnswer(await login(app.url, r.email), 200);
      clock.advance(30);
      expect((await refresh(app.url, fresh.refreshToken)).status).to.equal(200);
      expectInvalidToken(await refresh(app.url, r.refreshToken));
    });
  });

  describe('a refresh token in the body next to an access token in the header', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp();
    });
    after(() => app.close());

    it('rotates with the body\'s refresh token, the access token in the header notwithstanding', async () => {
      const r = await register(app.url);
      const res = await call<TokenAnswer>(app.url, 'POST', '/auth/refresh', { json: { refreshToken: r.refreshToken }, headers: bearer(r.accessToken) });
      expectTokenAnswer(res, 200);
    });
  });
});
