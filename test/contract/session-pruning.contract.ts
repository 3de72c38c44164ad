import { expect } from 'chai';
import type { TokenStoreFixture } from './token-store.contract.js';
import { aSession, aUser, at } from './builders.js';

const NOW = at('2026-03-01T00:00:00.000Z');
const IDLE_SINCE = at('2026-02-01T00:00:00.000Z');
const CUTOFF = { now: NOW, idleSince: IDLE_SINCE };

/** What every store that keeps dead sessions until told must do when pruned (SQL and memory). */
export function sessionPruningContract(name: string, setup: () => Promise<TokenStoreFixture>): void {
  describe(`session pruning: ${name}`, () => {
    let fixture: TokenStoreFixture | undefined;
    let userId: string;

    beforeEach(async () => {
      fixture = await setup();
      userId = (await fixture.users.create(aUser())).id;
    });
    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    const store = () => {
      if (!fixture) throw new Error('no fixture');
      return fixture.store;
    };
    const started = async (overrides: Parameters<typeof aSession>[1]) => {
      const session = aSession(userId, { createdAt: at('2026-01-15T00:00:00.000Z'), lastUsedAt: at('2026-02-20T00:00:00.000Z'), ...overrides });
      await store().create(session);
      return session;
    };

    it('forgets ended, expired and idle sessions, and keeps every session a token could still use', async () => {
      const dead = [
        await started({ endedAt: at('2026-02-25T00:00:00.000Z') }),
        await started({ expiresAt: NOW }),
        await started({ expiresAt: at('2026-02-28T23:59:59.999Z') }),
        await started({ lastUsedAt: IDLE_SINCE }),
        await started({ lastUsedAt: at('2026-01-20T00:00:00.000Z') }),
      ];
      const alive = [
        await started({ expiresAt: at('2026-03-01T00:00:00.001Z') }),
        await started({ lastUsedAt: at('2026-02-01T00:00:00.001Z') }),
        await started({}),
      ];

      expect(await store().prune(CUTOFF, 100)).to.equal(dead.length);

      for (const session of dead) expect(await store().find(session.id), 'pruned').to.equal(null);
      for (const session of alive) expect(await store().find(session.id), 'kept').to.deep.equal(session);
      expect(await store().prune(CUTOFF, 100), 'nothing left to prune').to.equal(0);
    });

    it('forgets at most `limit` sessions per call', async () => {
      for (let i = 0; i < 5; i++) await started({ endedAt: at('2026-02-25T00:00:00.000Z') });
      const live = await started({});

      const batches = [await store().prune(CUTOFF, 2), await store().prune(CUTOFF, 2), await store().prune(CUTOFF, 2), await store().prune(CUTOFF, 2)];

      expect(batches).to.deep.equal([2, 2, 1, 0]);
      expect(await store().find(live.id)).to.deep.equal(live);
    });
  });
}
