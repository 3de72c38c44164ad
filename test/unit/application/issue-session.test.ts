import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../../support/config.js';
import {
  AUDIENCE,
  buildAuth,
  epochSeconds,
  expectCode,
  GOOD_PASSWORD,
  ISSUER,
  verifyAccess,
  verifyAccessComplete,
  verifyRefresh,
  verifyRefreshComplete,
  type Auth,
} from './harness.js';

describe('IssueSession', () => {
  let auth: Auth;
  let userId: string;
  beforeEach(async () => {
    auth = buildAuth();
    userId = (await auth.register.execute({ email: 'alice@example.com', password: GOOD_PASSWORD })).id;
  });

  it('creates a live session that ends SESSION_MAX_AGE after sign-in', async () => {
    const now = auth.clock.now();
    const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId, userAgent: 'Mozilla/5.0' });
    const session = await auth.session(tokens.sessionId);

    expect(session).to.not.equal(null);
    expect(session).to.include({ userId, userAgent: 'Mozilla/5.0', previousTokenDigest: null, rotatedAt: null, endedAt: null });
    expect(session?.createdAt.getTime()).to.equal(now.getTime());
    expect(session?.lastUsedAt.getTime()).to.equal(now.getTime());
    expect(session?.expiresAt.getTime()).to.equal(now.getTime() + 7_776_000 * 1000);
  });

  it('answers the user with the tokens', async () => {
    const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });

    expect(tokens.user.id).to.equal(userId);
    expect(tokens.user.email).to.equal('alice@example.com');
  });

  it('starts a new session (a new family) at each sign-in', async () => {
    const first = await auth.issueSession.execute({ amr: ['pwd'], userId });
    const second = await auth.issueSession.execute({ amr: ['pwd'], userId });

    expect(second.sessionId).not.to.equal(first.sessionId);
    expect(second.refreshToken).not.to.equal(first.refreshToken);
    expect(verifyRefresh(second.refreshToken).jti).not.to.equal(verifyRefresh(first.refreshToken).jti);
  });

  it('keeps only a digest of the refresh token id, never the token or its id', async () => {
    const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });
    const session = await auth.session(tokens.sessionId);
    const { jti } = verifyRefresh(tokens.refreshToken);

    expect(session?.currentTokenDigest).to.equal(auth.issuer.digest(jti));
    const stored = JSON.stringify(session);
    expect(stored).not.to.include(jti);
    expect(stored).not.to.include(tokens.refreshToken);
  });

  describe('access token', () => {
    it('carries sub, sid, jti, iat, exp, iss and aud, and verifies with the access secret', async () => {
      const now = auth.clock.now();
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });
      const payload = verifyAccess(tokens.accessToken, auth.clock);

      expect(payload.sub).to.equal(userId);
      expect(payload.sid).to.equal(tokens.sessionId);
      expect(payload.jti).to.be.a('string').and.not.be.empty;
      expect(payload.iat).to.equal(epochSeconds(now));
      expect(payload.exp).to.equal(epochSeconds(now) + 900);
      expect(payload.iss).to.equal(ISSUER);
      expect(payload.aud).to.equal(AUDIENCE);
    });

    it('is an HS256 JWT of type at+jwt', async () => {
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });

      expect(verifyAccessComplete(tokens.accessToken).header).to.include({ alg: 'HS256', typ: 'at+jwt' });
    });

    it('does not verify with the refresh secret', async () => {
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });

      expect(() => jwt.verify(tokens.accessToken, TEST_REFRESH_SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).to.throw(
        jwt.JsonWebTokenError,
      );
    });

    it('expires ACCESS_TOKEN_TTL after issue, as expiresIn and accessTokenExpiresAt say', async () => {
      const now = auth.clock.now();
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });

      expect(tokens.expiresIn).to.equal(900);
      expect(tokens.accessTokenExpiresAt.getTime()).to.equal(now.getTime() + 900_000);
      expect(verifyAccess(tokens.accessToken).exp).to.equal(epochSeconds(tokens.accessTokenExpiresAt));
    });

    it('gets a different jti for every token', async () => {
      const first = await auth.issueSession.execute({ amr: ['pwd'], userId });
      const second = await auth.issueSession.execute({ amr: ['pwd'], userId });

      expect(verifyAccess(first.accessToken).jti).not.to.equal(verifyAccess(second.accessToken).jti);
    });
  });

  describe('refresh token', () => {
    it('carries sub, sid, jti, iat, exp, iss and aud, and verifies with the refresh secret', async () => {
      const now = auth.clock.now();
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });
      const payload = verifyRefresh(tokens.refreshToken, auth.clock);

      expect(payload.sub).to.equal(userId);
      expect(payload.sid).to.equal(tokens.sessionId);
      expect(payload.jti).to.be.a('string').and.not.be.empty;
      expect(payload.iat).to.equal(epochSeconds(now));
      expect(payload.exp).to.equal(epochSeconds(now) + 2_592_000);
      expect(payload.iss).to.equal(ISSUER);
      expect(payload.aud).to.equal(AUDIENCE);
      expect(tokens.refreshTokenExpiresAt.getTime()).to.equal(now.getTime() + 2_592_000_000);
    });

    it('is an HS256 JWT of type rt+jwt that does not verify with the access secret', async () => {
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId });

      expect(verifyRefreshComplete(tokens.refreshToken).header).to.include({ alg: 'HS256', typ: 'rt+jwt' });
      expect(() => jwt.verify(tokens.refreshToken, TEST_ACCESS_SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).to.throw(
        jwt.JsonWebTokenError,
      );
    });
  });

  it('never issues a token past the session end, even when SESSION_MAX_AGE is shorter than the TTLs', async () => {
    auth = buildAuth({ sessionMaxAgeSeconds: 600 });
    const user = await auth.register.execute({ email: 'short@example.com', password: GOOD_PASSWORD });
    const now = auth.clock.now();
    const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId: user.id });
    const session = await auth.session(tokens.sessionId);

    expect(session?.expiresAt.getTime()).to.equal(now.getTime() + 600_000);
    expect(verifyAccess(tokens.accessToken).exp).to.equal(epochSeconds(now) + 600);
    expect(verifyRefresh(tokens.refreshToken).exp).to.equal(epochSeconds(now) + 600);
    expect(tokens.expiresIn).to.equal(600);
  });

  describe('user agent', () => {
    it('keeps a user agent of 255 characters whole and cuts a longer one to 255', async () => {
      const exact = await auth.issueSession.execute({ amr: ['pwd'], userId, userAgent: 'u'.repeat(255) });
      const long = await auth.issueSession.execute({ amr: ['pwd'], userId, userAgent: `${'a'.repeat(255)}${'b'.repeat(45)}` });

      expect((await auth.session(exact.sessionId))?.userAgent).to.equal('u'.repeat(255));
      expect((await auth.session(long.sessionId))?.userAgent).to.equal('a'.repeat(255));
    });

    it('stores null when there is no user agent', async () => {
      const none = await auth.issueSession.execute({ amr: ['pwd'], userId });
      const empty = await auth.issueSession.execute({ amr: ['pwd'], userId, userAgent: '' });

      expect((await auth.session(none.sessionId))?.userAgent).to.equal(null);
      expect((await auth.session(empty.sessionId))?.userAgent).to.equal(null);
    });

    it('never splits a character in two when it cuts the user agent', async () => {
      const tokens = await auth.issueSession.execute({ amr: ['pwd'], userId, userAgent: `${'a'.repeat(254)}😀 and more` });
      const stored = (await auth.session(tokens.sessionId))?.userAgent ?? '';

      expect([...stored].length).to.be.at.most(255);
      // A lone surrogate does not survive UTF-8: the database would hold something else than memory.
      expect(Buffer.from(stored, 'utf8').toString('utf8')).to.equal(stored);
    });
  });

  it('refuses a user that no longer exists with INVALID_TOKEN and creates no session', async () => {
    await expectCode(auth.issueSession.execute({ amr: ['pwd'], userId: 'no-such-user' }), 'INVALID_TOKEN');

    expect(await auth.store.listLive('no-such-user', auth.clock.now())).to.deep.equal([]);
  });
});

describe('IssueSession past SESSIONS_PER_USER_MAX', () => {
  it('ends the least recently used session at the sign-in that passes the cap, and keeps the new one', async () => {
    const auth = buildAuth({}, {}, { sessionsPerUserMax: 2 });
    const userId = (await auth.register.execute({ email: 'many@example.com', password: GOOD_PASSWORD })).id;
    const first = await auth.issueSession.execute({ amr: ['pwd'], userId });
    auth.clock.advance(1);
    const second = await auth.issueSession.execute({ amr: ['pwd'], userId });
    auth.clock.advance(1);
    await auth.refresh(first.refreshToken); // first is now the most recently used
    auth.clock.advance(1);

    const third = await auth.issueSession.execute({ amr: ['pwd'], userId });

    expect((await auth.session(second.sessionId))?.endedAt?.getTime(), 'the least recently used ended now').to.equal(auth.clock.now().getTime());
    const live = await auth.listSessions.execute({ userId, sessionId: third.sessionId });
    expect(live.map((s) => s.id).sort()).to.deep.equal([first.sessionId, third.sessionId].sort());
  });
});
