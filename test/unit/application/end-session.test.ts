import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/session-token-minter.js';
import { buildAuth, expectCode, type Auth } from './harness.js';

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
    const other = await auth.issueSession.execute({ userId: alice.user.id });
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

  it('answers SESSION_NOT_FOUND for an id that was never a session', async () => {
    await expectCode(auth.endSession.execute({ userId: alice.user.id, sessionId: 'no-such-session' }), 'SESSION_NOT_FOUND');
  });
});
