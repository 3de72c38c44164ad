import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import { buildAuth, expectCode, refreshClaims, type Auth } from './harness.js';

describe('EndSession', () => {
  let auth: Auth;
  let alice: SessionTokens;
  beforeEach(async () => {
    auth = buildAuth();
    alice = await auth.signUp('alice@example.com');
  });

  it('ends one of the caller’s own sessions at the current time', async () => {
    auth.clock.advance(30);
    await auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId });

    expect((await auth.session(alice.sessionId))?.endedAt?.getTime()).to.equal(auth.clock.now().getTime());
  });

  it('makes its refresh token and its access tokens fail at once', async () => {
    await auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId });

    await expectCode(auth.refresh(alice.refreshToken), 'INVALID_TOKEN');
    await expectCode(auth.authenticate(alice.accessToken), 'INVALID_TOKEN');
  });

  it('accepts the principal of an access token (the current session) as input', async () => {
    const principal = await auth.authenticate(alice.accessToken);
    await auth.endSession.execute(principal);

    expect((await auth.session(alice.sessionId))?.endedAt).to.not.equal(null);
  });

  it('leaves the user’s other sessions live', async () => {
    const other = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id });
    await auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId });

    expect((await auth.session(other.sessionId))?.endedAt).to.equal(null);
    expect(await auth.refresh(other.refreshToken)).to.have.property('sessionId', other.sessionId);
  });

  it('answers SESSION_NOT_FOUND for another user’s session and leaves it live', async () => {
    const bob = await auth.signUp('bob@example.com');

    await expectCode(auth.endSession.execute({ userId: alice.user.id, sessionId: bob.sessionId }), 'SESSION_NOT_FOUND');

    expect((await auth.session(bob.sessionId))?.endedAt).to.equal(null);
    expect(await auth.authenticate(bob.accessToken)).to.have.property('sessionId', bob.sessionId);
  });

  it('answers SESSION_NOT_FOUND for a session already ended, and leaves its end time where it was', async () => {
    await auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId });
    const endedAt = (await auth.session(alice.sessionId))?.endedAt;
    auth.clock.advance(60);

    await expectCode(auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId }), 'SESSION_NOT_FOUND');

    expect((await auth.session(alice.sessionId))?.endedAt).to.deep.equal(endedAt);
  });

  it('answers SESSION_NOT_FOUND for a session ended by logout-all', async () => {
    await auth.endAllSessions.execute({ userId: alice.user.id });

    await expectCode(auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId }), 'SESSION_NOT_FOUND');
  });

  it('answers SESSION_NOT_FOUND for a session past its absolute end (SESSION_MAX_AGE), and does not mark it ended', async () => {
    auth.clock.advance(auth.policy.sessionMaxAgeSeconds);

    await expectCode(auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId }), 'SESSION_NOT_FOUND');

    expect((await auth.session(alice.sessionId))?.endedAt).to.equal(null);
  });

  it('ends a session once when asked twice at the same time: the other answer is SESSION_NOT_FOUND', async () => {
    const outcomes = await Promise.allSettled([
      auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId }),
      auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId }),
    ]);

    expect(outcomes.map((o) => o.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected');
    await expectCode(Promise.reject(refused?.reason), 'SESSION_NOT_FOUND');
  });

  describe('for POST /auth/logout (the session named by a refresh token the strategy verified)', () => {
    it('ends the session of a token just replaced, within the retry grace', async () => {
      const next = await auth.refresh(alice.refreshToken);
      auth.clock.advance(2);
      const principal = refreshClaims(alice.refreshToken);

      await auth.endSession.execute(principal);

      expect((await auth.session(alice.sessionId))?.endedAt?.getTime()).to.equal(auth.clock.now().getTime());
      await expectCode(auth.refresh(next.refreshToken), 'INVALID_TOKEN');
    });

    it('answers INVALID_TOKEN, as its token now gets, when the session ended after the strategy verified the token', async () => {
      const principal = refreshClaims(alice.refreshToken);
      await auth.endAllSessions.execute({ userId: alice.user.id });

      await expectCode(auth.endSession.execute(principal), 'INVALID_TOKEN');
    });

    it('treats a token replaced past the grace as reuse: INVALID_TOKEN, and the family is revoked', async () => {
      const next = await auth.refresh(alice.refreshToken);
      auth.clock.advance(11);

      await expectCode(auth.endSession.execute(refreshClaims(alice.refreshToken)), 'INVALID_TOKEN');

      expect((await auth.session(alice.sessionId))?.endedAt?.getTime()).to.equal(auth.clock.now().getTime());
      await expectCode(auth.refresh(next.refreshToken), 'INVALID_TOKEN');
    });
  });

  it('answers SESSION_NOT_FOUND for an id that was never a session', async () => {
    await expectCode(auth.endSession.execute({ userId: alice.user.id, sessionId: 'no-such-session' }), 'SESSION_NOT_FOUND');
  });
});
