import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import type { SessionPrincipal } from '../../../src/domain/principal.js';
import { buildAuth, expectCode, type Auth } from './harness.js';

describe('EndAllSessions', () => {
  let auth: Auth;
  let alice: SessionTokens;
  let laptop: SessionTokens;
  let phone: SessionTokens;
  beforeEach(async () => {
    auth = buildAuth();
    alice = await auth.signUp('alice@example.com');
    laptop = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id, userAgent: 'Laptop' });
    phone = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id, userAgent: 'Phone' });
  });

  it('ends every session of the user at the current time and says how many', async () => {
    auth.clock.advance(17);

    expect(await auth.endAllSessions.execute({ userId: alice.user.id })).to.equal(3);

    for (const s of [alice, laptop, phone]) {
      expect((await auth.session(s.sessionId))?.endedAt?.getTime(), s.sessionId).to.equal(auth.clock.now().getTime());
    }
  });

  it('makes every session’s access and refresh tokens fail at once, the caller’s included', async () => {
    const caller: SessionPrincipal = { userId: alice.user.id, sessionId: laptop.sessionId };
    await auth.endAllSessions.execute(caller);

    for (const s of [alice, laptop, phone]) {
      await expectCode(auth.authenticate(s.accessToken), 'INVALID_TOKEN');
      await expectCode(auth.refresh(s.refreshToken), 'INVALID_TOKEN');
    }
  });

  it('leaves other users’ sessions live', async () => {
    const bob = await auth.signUp('bob@example.com');
    await auth.endAllSessions.execute({ userId: alice.user.id });

    expect(await auth.authenticate(bob.accessToken)).to.have.property('sessionId', bob.sessionId);
    expect((await auth.refresh(bob.refreshToken)).sessionId).to.equal(bob.sessionId);
  });

  it('lets a sign-in at the very same instant afterwards work', async () => {
    await auth.endAllSessions.execute({ userId: alice.user.id });

    const again = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id });

    expect(await auth.authenticate(again.accessToken)).to.deep.equal({ userId: alice.user.id, sessionId: again.sessionId });
    expect((await auth.refresh(again.refreshToken)).sessionId).to.equal(again.sessionId);
  });

  it('ends nothing more the second time (0), and keeps the first end time', async () => {
    await auth.endAllSessions.execute({ userId: alice.user.id });
    const endedAt = (await auth.session(alice.sessionId))?.endedAt?.getTime();
    auth.clock.advance(60);

    expect(await auth.endAllSessions.execute({ userId: alice.user.id })).to.equal(0);
    expect((await auth.session(alice.sessionId))?.endedAt?.getTime()).to.equal(endedAt);
  });
});
