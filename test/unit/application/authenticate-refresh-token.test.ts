import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import type { RefreshPrincipal } from '../../../src/domain/principal.js';
import { buildAuth, expectCode, refreshClaims, type Auth } from './harness.js';

describe('AuthenticateRefreshToken', () => {
  let auth: Auth;
  let signIn: SessionTokens;
  const accept = (principal: RefreshPrincipal) => auth.authenticateRefresh.execute(principal, auth.clock.now());
  beforeEach(async () => {
    auth = buildAuth();
    signIn = await auth.signUp('alice@example.com');
  });

  it("accepts the family's newest token as current, with the session it read", async () => {
    const accepted = await accept(refreshClaims(signIn.refreshToken));

    expect(accepted.presented).to.equal('current');
    expect(accepted.session).to.deep.equal(await auth.session(signIn.sessionId));
  });

  it('accepts the token just replaced while within the retry grace, and leaves the session live', async () => {
    await auth.refresh(signIn.refreshToken);
    auth.clock.advance(9);

    const accepted = await accept(refreshClaims(signIn.refreshToken));

    expect(accepted.presented).to.equal('retry');
    expect(accepted.session.id).to.equal(signIn.sessionId);
    expect((await auth.session(signIn.sessionId))?.endedAt).to.equal(null);
  });

  it('treats the token just replaced as reuse after the grace: INVALID_TOKEN and the session ends', async () => {
    const rotated = await auth.refresh(signIn.refreshToken);
    auth.clock.advance(11);

    await expectCode(accept(refreshClaims(signIn.refreshToken)), 'INVALID_TOKEN');

    expect((await auth.session(signIn.sessionId))?.endedAt?.getTime()).to.equal(auth.clock.now().getTime());
    await expectCode(accept(refreshClaims(rotated.refreshToken)), 'INVALID_TOKEN');
  });

  it('treats a token two rotations back as reuse even within the grace', async () => {
    const second = await auth.refresh(signIn.refreshToken);
    auth.clock.advance(1);
    const third = await auth.refresh(second.refreshToken);
    auth.clock.advance(1);

    await expectCode(accept(refreshClaims(signIn.refreshToken)), 'INVALID_TOKEN');

    expect((await auth.session(signIn.sessionId))?.endedAt).to.not.equal(null);
    await expectCode(accept(refreshClaims(third.refreshToken)), 'INVALID_TOKEN');
  });

  it('treats the token just replaced as reuse at once when the grace is 0', async () => {
    auth = buildAuth({ reuseGraceSeconds: 0 });
    signIn = await auth.signUp('bob@example.com');
    await auth.refresh(signIn.refreshToken);

    await expectCode(accept(refreshClaims(signIn.refreshToken)), 'INVALID_TOKEN');

    expect((await auth.session(signIn.sessionId))?.endedAt).to.not.equal(null);
  });

  it('refuses any token of an ended session', async () => {
    await auth.endSession.execute({ userId: signIn.user.id, sessionId: signIn.sessionId });

    await expectCode(accept(refreshClaims(signIn.refreshToken)), 'INVALID_TOKEN');
  });

  it('refuses a token of a session past its SESSION_MAX_AGE, even if the token itself were not expired', async () => {
    const session = await auth.session(signIn.sessionId);
    auth.clock.set(session?.expiresAt ?? new Date(0));

    await expectCode(accept(refreshClaims(signIn.refreshToken)), 'INVALID_TOKEN');
  });

  it("refuses claims naming another user than the session's, without ending that session", async () => {
    const bob = await auth.signUp('bob@example.com');
    const claims = { ...refreshClaims(signIn.refreshToken), userId: bob.user.id };

    await expectCode(accept(claims), 'INVALID_TOKEN');

    expect((await auth.session(signIn.sessionId))?.endedAt).to.equal(null);
  });

  it('refuses a token whose session never existed', async () => {
    const claims = { ...refreshClaims(signIn.refreshToken), sessionId: 'no-such-session' };

    await expectCode(accept(claims), 'INVALID_TOKEN');
  });
});
