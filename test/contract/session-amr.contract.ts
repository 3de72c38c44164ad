import { expect } from 'chai';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { aDigest, aSession, at, aUser } from './builders.js';
import type { TokenStoreFixture } from './token-store.contract.js';

/**
 * A session's sign-in methods (RFC 8176 `amr`) outlive its refreshes: access tokens minted at a
 * refresh carry what the sign-in proved (`otp` after the MFA step), so every store keeps them.
 */
export function sessionAmrContract(name: string, setup: () => Promise<TokenStoreFixture>): void {
  describe(`TokenStore keeps a session's amr: ${name}`, () => {
    let fixture: TokenStoreFixture | undefined;
    let store: TokenStore;
    let users: UserRepository;
    let userId: string;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      users = fixture.users;
      userId = (await users.create(aUser())).id;
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    it("finds a session with the amr it was created with, in order: ['pwd', 'otp']", async () => {
      const session = aSession(userId, { amr: ['pwd', 'otp'] });
      await store.create(session);
      expect((await store.find(session.id))?.amr).to.deep.equal(['pwd', 'otp']);
    });

    it('keeps the amr through a rotation, and in the live list', async () => {
      const session = aSession(userId, { amr: ['fed', 'otp'] });
      await store.create(session);
      expect(await store.rotate(session.id, session.currentTokenDigest, aDigest(), at('2026-01-02T04:00:00.000Z'))).to.equal(true);
      expect((await store.find(session.id))?.amr).to.deep.equal(['fed', 'otp']);
      expect((await store.listLive(userId, at('2026-01-02T05:00:00.000Z'))).map((s) => s.amr)).to.deep.equal([['fed', 'otp']]);
    });

    it('finds a session created without amr (from before the column) without one', async () => {
      const session = aSession(userId);
      await store.create(session);
      expect((await store.find(session.id))?.amr ?? null).to.equal(null);
    });
  });
}
