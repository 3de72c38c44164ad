import { expect } from 'chai';
import { PruneSessions } from '../../../src/application/sessions/prune-sessions.js';
import { buildAuth, type Auth } from './harness.js';

describe('PruneSessions', () => {
  let auth: Auth;
  let prune: PruneSessions;
  beforeEach(() => {
    auth = buildAuth({ refreshTokenTtlSeconds: 3600, sessionMaxAgeSeconds: 7200 });
    prune = new PruneSessions(auth.store, auth.clock, auth.policy);
  });

  it('forgets a session once it has ended, and keeps the live ones', async () => {
    const alice = await auth.signUp('alice@example.com');
    const other = await auth.issueSession.execute({ amr: ['pwd'], userId: alice.user.id, userAgent: 'Phone' });
    await auth.endSession.execute({ userId: alice.user.id, sessionId: alice.sessionId });

    expect(await prune.execute(100)).to.equal(1);

    expect(await auth.session(alice.sessionId)).to.equal(null);
    expect(await auth.session(other.sessionId)).to.not.equal(null);
  });

  it('forgets a session its newest refresh token has outlived (REFRESH_TOKEN_TTL without use), not a second sooner', async () => {
    const alice = await auth.signUp('alice@example.com');

    auth.clock.advance(3599);
    expect(await prune.execute(100), 'its refresh token still works').to.equal(0);
    auth.clock.advance(1);
    expect(await prune.execute(100)).to.equal(1);
    expect(await auth.session(alice.sessionId)).to.equal(null);
  });

  it('forgets a session past SESSION_MAX_AGE however recently it was refreshed', async () => {
    const alice = await auth.signUp('alice@example.com');
    let refreshToken = alice.refreshToken;
    for (let i = 0; i < 3; i++) {
      auth.clock.advance(1800);
      refreshToken = (await auth.refresh(refreshToken)).refreshToken;
    }
    auth.clock.advance(1799);
    expect(await prune.execute(100), 'refreshed half an hour ago, and not past its end yet').to.equal(0);

    auth.clock.advance(1);

    expect(await prune.execute(100)).to.equal(1);
  });
});
