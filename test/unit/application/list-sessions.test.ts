import { expect } from 'chai';
import type { SessionTokens } from '../../../src/application/sessions/session-token-minter.js';
import { buildAuth, type Auth } from './harness.js';

describe('ListSessions', () => {
  let auth: Auth;
  let alice: SessionTokens;
  let laptop: SessionTokens;
  let phone: SessionTokens;
  beforeEach(async () => {
    auth = buildAuth({ sessionMaxAgeSeconds: 3600 });
    alice = await auth.signUp('alice@example.com');
    auth.clock.advance(10);
    laptop = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id, userAgent: 'Laptop/1.0' });
    auth.clock.advance(10);
    phone = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id, userAgent: null });
  });

  const list = (current: SessionTokens) => auth.listSessions.execute({ userId: alice.user.id, sessionId: current.sessionId });

  it('lists the user’s live sessions, newest first, with id, createdAt, lastUsedAt, userAgent and current only', async () => {
    const sessions = await list(laptop);

    expect(sessions.map((s) => s.id)).to.deep.equal([phone.sessionId, laptop.sessionId, alice.sessionId]);
    for (const s of sessions) expect(Object.keys(s).sort()).to.deep.equal(['createdAt', 'current', 'id', 'lastUsedAt', 'userAgent']);
    expect(sessions.map((s) => s.userAgent)).to.deep.equal([null, 'Laptop/1.0', 'unit-test']);
    const start = sessions[2]?.createdAt.getTime() ?? NaN;
    expect(sessions.map((s) => (s.createdAt.getTime() - start) / 1000), 'createdAt of each').to.deep.equal([20, 10, 0]);
    expect(sessions.map((s) => s.lastUsedAt.getTime())).to.deep.equal(sessions.map((s) => s.createdAt.getTime()));
  });

  it('marks exactly the caller’s session as current', async () => {
    for (const caller of [alice, laptop, phone]) {
      const sessions = await list(caller);
      expect(sessions.filter((s) => s.current).map((s) => s.id)).to.deep.equal([caller.sessionId]);
    }
  });

  it('keeps a session’s id and createdAt across refreshes and moves its lastUsedAt to the refresh', async () => {
    const [before] = (await list(laptop)).filter((s) => s.current);
    auth.clock.advance(30);

    const refreshed = await auth.refresh(laptop.refreshToken);
    const [after] = (await list(refreshed)).filter((s) => s.current);

    expect(after?.id).to.equal(before?.id);
    expect(after?.createdAt.getTime()).to.equal(before?.createdAt.getTime());
    expect(after?.lastUsedAt.getTime()).to.equal(auth.clock.now().getTime());
  });

  it('leaves out ended sessions and other users’ sessions', async () => {
    const bob = await auth.signUp('bob@example.com');
    await auth.endSession.execute({ userId: alice.user.id, sessionId: phone.sessionId });

    expect((await list(laptop)).map((s) => s.id)).to.deep.equal([laptop.sessionId, alice.sessionId]);
    expect((await list(laptop)).map((s) => s.id)).to.not.include(bob.sessionId);
  });

  it('leaves out sessions past their maximum age', async () => {
    auth.clock.advance(3600 - 20);

    expect((await list(phone)).map((s) => s.id)).to.deep.equal([phone.sessionId, laptop.sessionId]);
  });

  it('answers an empty list once every session has ended', async () => {
    await auth.endAllSessions.execute({ userId: alice.user.id });
    expect(await list(alice)).to.deep.equal([]);
  });
});
