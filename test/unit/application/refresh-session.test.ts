import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import { InMemoryTokenStore } from '../../../src/adapters/persistence/memory/in-memory-token-store.js';
import type { TokenStore } from '../../../src/domain/ports/token-store.js';
import { buildAuth, epochSeconds, expectCode, refreshClaims, verifyAccess, verifyRefresh, type Auth } from './harness.js';

const DAY = 86_400;

/** The real in-memory store, counting its reads of one session. */
function countingStore(): { store: TokenStore; finds: () => number } {
  const inner = new InMemoryTokenStore();
  let finds = 0;
  const store = Object.assign(Object.create(inner) as TokenStore, {
    find: (id: string) => {
      finds += 1;
      return inner.find(id);
    },
  });
  return { store, finds: () => finds };
}

describe('RefreshSession (after AuthenticateRefreshToken)', () => {
  let auth: Auth;
  let signIn: SessionTokens;
  beforeEach(async () => {
    auth = buildAuth();
    signIn = await auth.signUp('alice@example.com');
  });

  describe('rotation', () => {
    it('reads the session once per refresh and once per logout: the reuse rule is judged on that one read', async () => {
      const counted = countingStore();
      auth = buildAuth({}, {}, { store: counted.store });
      signIn = await auth.signUp('carol@example.com');
      const before = counted.finds();

      const rotated = await auth.refresh(signIn.refreshToken);
      expect(counted.finds() - before, 'reads of one refresh').to.equal(1);

      await auth.endSession.execute(refreshClaims(rotated.refreshToken));
      expect(counted.finds() - before, 'reads of refresh + logout').to.equal(2);
    });

    it('answers a new refresh token and a new access token for the same session', async () => {
      auth.clock.advance(60);
      const rotated = await auth.refresh(signIn.refreshToken);

      expect(rotated.sessionId).to.equal(signIn.sessionId);
      expect(rotated.refreshToken).not.to.equal(signIn.refreshToken);
      expect(rotated.accessToken).not.to.equal(signIn.accessToken);
      expect(verifyRefresh(rotated.refreshToken).jti).not.to.equal(verifyRefresh(signIn.refreshToken).jti);
      expect(verifyRefresh(rotated.refreshToken).sid).to.equal(signIn.sessionId);
      expect(verifyAccess(rotated.accessToken, auth.clock).sid).to.equal(signIn.sessionId);
    });

    it('makes the new token current and the old one previous, marking the session used', async () => {
      auth.clock.advance(60);
      const rotated = await auth.refresh(signIn.refreshToken);
      const session = await auth.session(signIn.sessionId);

      expect(session?.currentTokenDigest).to.equal(auth.issuer.digest(verifyRefresh(rotated.refreshToken).jti));
      expect(session?.previousTokenDigest).to.equal(auth.issuer.digest(verifyRefresh(signIn.refreshToken).jti));
      expect(session?.rotatedAt?.getTime()).to.equal(auth.clock.now().getTime());
      expect(session?.lastUsedAt.getTime()).to.equal(auth.clock.now().getTime());
    });

    it('issues the new tokens at the time of the rotation', async () => {
      auth.clock.advance(3600);
      const now = epochSeconds(auth.clock.now());
      const rotated = await auth.refresh(signIn.refreshToken);

      expect(verifyRefresh(rotated.refreshToken, auth.clock)).to.include({ iat: now, exp: now + 2_592_000 });
      expect(verifyAccess(rotated.accessToken, auth.clock)).to.include({ iat: now, exp: now + 900 });
      expect(rotated.expiresIn).to.equal(900);
    });

    it('lets the new refresh token rotate in turn', async () => {
      const second = await auth.refresh(signIn.refreshToken);
      auth.clock.advance(60);
      const third = await auth.refresh(second.refreshToken);

      expect(third.refreshToken).not.to.equal(second.refreshToken);
      expect(third.sessionId).to.equal(signIn.sessionId);
    });
  });

  describe('retry within the grace window', () => {
    it('answers the identical refresh token (same jti, iat and exp) and does not rotate again', async () => {
      const rotated = await auth.refresh(signIn.refreshToken);
      const afterRotation = await auth.session(signIn.sessionId);
      auth.clock.advance(5);

      const retried = await auth.refresh(signIn.refreshToken);

      expect(retried.refreshToken).to.equal(rotated.refreshToken);
      const [a, b] = [verifyRefresh(rotated.refreshToken), verifyRefresh(retried.refreshToken)];
      expect(b).to.include({ jti: a.jti, iat: a.iat, exp: a.exp });
      expect(retried.refreshTokenExpiresAt.getTime()).to.equal(rotated.refreshTokenExpiresAt.getTime());
      expect(await auth.session(signIn.sessionId)).to.deep.equal(afterRotation);
    });

    it('answers a fresh access token for the same session', async () => {
      await auth.refresh(signIn.refreshToken);
      auth.clock.advance(5);
      const retried = await auth.refresh(signIn.refreshToken);

      const access = verifyAccess(retried.accessToken, auth.clock);
      expect(access.sid).to.equal(signIn.sessionId);
      expect(access.iat).to.equal(epochSeconds(auth.clock.now()));
      expect(await auth.authenticate(retried.accessToken)).to.deep.equal({ userId: signIn.user.id, sessionId: signIn.sessionId });
    });

    it('leaves the successor working afterwards', async () => {
      const rotated = await auth.refresh(signIn.refreshToken);
      auth.clock.advance(5);
      await auth.refresh(signIn.refreshToken);
      auth.clock.advance(1);

      const next = await auth.refresh(rotated.refreshToken);

      expect(next.refreshToken).not.to.equal(rotated.refreshToken);
      expect((await auth.session(signIn.sessionId))?.endedAt).to.equal(null);
    });

    it('does not extend the grace window: a second retry after the window is reuse', async () => {
      await auth.refresh(signIn.refreshToken);
      auth.clock.advance(8);
      await auth.refresh(signIn.refreshToken);
      auth.clock.advance(3); // 11 s after the rotation, 3 s after the retry

      await expectCode(auth.refresh(signIn.refreshToken), 'INVALID_TOKEN');
      expect((await auth.session(signIn.sessionId))?.endedAt).to.not.equal(null);
    });

    it('answers every one of many concurrent refreshes of one token with the one successor', async () => {
      const results = await Promise.all([1, 2, 3, 4].map(() => auth.refresh(signIn.refreshToken)));

      expect(new Set(results.map((r) => r.refreshToken)).size).to.equal(1);
      const session = await auth.session(signIn.sessionId);
      expect(session?.endedAt).to.equal(null);
      expect(session?.previousTokenDigest).to.equal(auth.issuer.digest(verifyRefresh(signIn.refreshToken).jti));
    });
  });

  describe('reuse', () => {
    it('after the grace window: INVALID_TOKEN, the session ends, and the newest token fails too', async () => {
      const rotated = await auth.refresh(signIn.refreshToken);
      auth.clock.advance(11);

      await expectCode(auth.refresh(signIn.refreshToken), 'INVALID_TOKEN');

      expect((await auth.session(signIn.sessionId))?.endedAt?.getTime()).to.equal(auth.clock.now().getTime());
      await expectCode(auth.refresh(rotated.refreshToken), 'INVALID_TOKEN');
      await expectCode(auth.authenticate(rotated.accessToken), 'INVALID_TOKEN');
    });

    it('a token two rotations back is reuse even within the grace window', async () => {
      const second = await auth.refresh(signIn.refreshToken);
      auth.clock.advance(1);
      const third = await auth.refresh(second.refreshToken);
      auth.clock.advance(1);

      await expectCode(auth.refresh(signIn.refreshToken), 'INVALID_TOKEN');

      expect((await auth.session(signIn.sessionId))?.endedAt).to.not.equal(null);
      await expectCode(auth.refresh(third.refreshToken), 'INVALID_TOKEN');
    });

    it('the token just replaced is still a retry after a further rotation, but only for its own successor', async () => {
      const second = await auth.refresh(signIn.refreshToken);
      auth.clock.advance(1);
      const third = await auth.refresh(second.refreshToken);
      auth.clock.advance(1);

      const retried = await auth.refresh(second.refreshToken);

      expect(retried.refreshToken).to.equal(third.refreshToken);
    });

    it('with a grace of 0 the token just replaced is reuse at once', async () => {
      auth = buildAuth({ reuseGraceSeconds: 0 });
      signIn = await auth.signUp('bob@example.com');
      const rotated = await auth.refresh(signIn.refreshToken);

      await expectCode(auth.refresh(signIn.refreshToken), 'INVALID_TOKEN');

      expect((await auth.session(signIn.sessionId))?.endedAt).to.not.equal(null);
      await expectCode(auth.refresh(rotated.refreshToken), 'INVALID_TOKEN');
    });

    it('with a grace of 0, of concurrent refreshes of one token exactly one succeeds and the family is revoked', async () => {
      auth = buildAuth({ reuseGraceSeconds: 0 });
      signIn = await auth.signUp('bob@example.com');

      const outcomes = await Promise.allSettled([auth.refresh(signIn.refreshToken), auth.refresh(signIn.refreshToken)]);

      const won = outcomes.filter((o): o is PromiseFulfilledResult<SessionTokens> => o.status === 'fulfilled');
      expect(won).to.have.length(1);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect((lost as PromiseRejectedResult).reason).to.have.property('code', 'INVALID_TOKEN');
      await expectCode(auth.refresh(won[0]?.value.refreshToken ?? ''), 'INVALID_TOKEN');
    });

    it('RefreshSession judges the token itself: a principal authenticated before a rotation is reuse once the grace is over', async () => {
      const principal = refreshClaims(signIn.refreshToken);
      await auth.refresh(signIn.refreshToken);
      auth.clock.advance(11);

      await expectCode(auth.refreshSession.execute(principal), 'INVALID_TOKEN');

      expect((await auth.session(signIn.sessionId))?.endedAt).to.not.equal(null);
    });

    it('refuses a refresh for an ended session', async () => {
      const principal = refreshClaims(signIn.refreshToken);
      await auth.endSession.execute({ userId: signIn.user.id, sessionId: signIn.sessionId });

      await expectCode(auth.refreshSession.execute(principal), 'INVALID_TOKEN');
    });

    it("refuses a principal naming another user than the session's", async () => {
      const bob = await auth.signUp('bob@example.com');
      const principal = { ...refreshClaims(signIn.refreshToken), userId: bob.user.id };

      await expectCode(auth.refreshSession.execute(principal), 'INVALID_TOKEN');
      expect((await auth.session(signIn.sessionId))?.endedAt).to.equal(null);
    });
  });

  describe('SESSION_MAX_AGE', () => {
    /**
     * Refreshes every 20 days (within the 30-day refresh TTL), then once more `secondsBeforeEnd`
     * before the session ends. Answers that last rotation, the token it replaced, and the session end.
     */
    async function refreshUntilNearEnd(secondsBeforeEnd: number) {
      const expiresAt = (await auth.session(signIn.sessionId))?.expiresAt ?? new Date(0);
      let tokens = signIn;
      for (let day = 20; day < 90; day += 20) {
        auth.clock.advance(20 * DAY);
        tokens = await auth.refresh(tokens.refreshToken);
      }
      auth.clock.set(new Date(expiresAt.getTime() - secondsBeforeEnd * 1000));
      const replaced = tokens.refreshToken;
      tokens = await auth.refresh(replaced);
      return { tokens, replaced, expiresAt };
    }

    it('never moves the session end, however often it is refreshed', async () => {
      const before = (await auth.session(signIn.sessionId))?.expiresAt.getTime();
      await refreshUntilNearEnd(3600);

      expect((await auth.session(signIn.sessionId))?.expiresAt.getTime()).to.equal(before);
    });

    it('cuts the refresh token exp and the access token exp to the session end', async () => {
      const { tokens, expiresAt } = await refreshUntilNearEnd(100);

      expect(verifyRefresh(tokens.refreshToken, auth.clock).exp).to.equal(epochSeconds(expiresAt));
      expect(verifyAccess(tokens.accessToken, auth.clock).exp).to.equal(epochSeconds(expiresAt));
      expect(tokens.refreshTokenExpiresAt.getTime()).to.equal(expiresAt.getTime());
      expect(tokens.accessTokenExpiresAt.getTime()).to.equal(expiresAt.getTime());
      expect(tokens.expiresIn).to.equal(100);
    });

    it('a retry within the grace near the end extends nothing: the same refresh exp, an access exp within the session', async () => {
      const { tokens, replaced, expiresAt } = await refreshUntilNearEnd(20);
      auth.clock.advance(8);

      const retried = await auth.refresh(replaced);

      expect(retried.refreshToken).to.equal(tokens.refreshToken);
      expect(verifyRefresh(retried.refreshToken).exp).to.equal(epochSeconds(expiresAt));
      expect(verifyAccess(retried.accessToken).exp).to.equal(epochSeconds(expiresAt));
      expect(retried.expiresIn).to.equal(12);
    });

    it('refuses to refresh at or past the session end with INVALID_TOKEN, and its access tokens too', async () => {
      const { tokens, expiresAt } = await refreshUntilNearEnd(100);
      auth.clock.set(expiresAt);

      await expectCode(auth.refresh(tokens.refreshToken), 'INVALID_TOKEN');
      auth.clock.advance(1);
      await expectCode(auth.refresh(tokens.refreshToken), 'INVALID_TOKEN');
      await expectCode(auth.authenticateAccess.execute({ userId: signIn.user.id, sessionId: signIn.sessionId }), 'INVALID_TOKEN');
    });
  });
});
