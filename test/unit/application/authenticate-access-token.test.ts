import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import { buildAuth, expectCode, type Auth } from './harness.js';

describe('AuthenticateAccessToken', () => {
  let auth: Auth;
  let alice: SessionTokens;
  beforeEach(async () => {
    auth = buildAuth();
    alice = await auth.signUp('alice@example.com');
  });

  const claims = () => ({ userId: alice.user.id, sessionId: alice.sessionId });

  it('accepts a token of a live session and answers its user and session', async () => {
    const principal = await auth.authenticateAccess.execute(claims());

    expect(principal).to.deep.equal({ userId: alice.user.id, sessionId: alice.sessionId });
  });

  it('accepts the claims of a real access token', async () => {
    expect(await auth.authenticate(alice.accessToken)).to.deep.equal({ userId: alice.user.id, sessionId: alice.sessionId });
  });

  it('refuses a token of an ended session with INVALID_TOKEN', async () => {
    await auth.store.end(alice.sessionId, auth.clock.now());

    await expectCode(auth.authenticateAccess.execute(claims()), 'INVALID_TOKEN');
  });

  it('refuses a token of a session that has reached its SESSION_MAX_AGE', async () => {
    const session = await auth.session(alice.sessionId);
    auth.clock.set(new Date((session?.expiresAt.getTime() ?? 0) - 1000));
    expect(await auth.authenticateAccess.execute(claims())).to.have.property('sessionId', alice.sessionId);

    auth.clock.advance(1);
    await expectCode(auth.authenticateAccess.execute(claims()), 'INVALID_TOKEN');
  });

  it("refuses a token naming another user than the session's", async () => {
    const bob = await auth.signUp('bob@example.com');

    await expectCode(auth.authenticateAccess.execute({ userId: bob.user.id, sessionId: alice.sessionId }), 'INVALID_TOKEN');
  });

  it('refuses a token whose session never existed', async () => {
    await expectCode(auth.authenticateAccess.execute({ userId: alice.user.id, sessionId: 'no-such-session' }), 'INVALID_TOKEN');
  });

  it("ending one session leaves the user's other sessions working", async () => {
    const other = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id });
    await auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId });

    await expectCode(auth.authenticateAccess.execute(claims()), 'INVALID_TOKEN');
    expect(await auth.authenticate(other.accessToken)).to.deep.equal({ userId: alice.user.id, sessionId: other.sessionId });
  });
});
