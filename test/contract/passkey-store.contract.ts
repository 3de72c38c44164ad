import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Passkey } from '../../src/domain/passkey.js';
import type { PasskeyStore } from '../../src/domain/ports/passkey-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { at, aUser, type Mutable } from './builders.js';

export interface PasskeyStoreFixture {
  readonly store: PasskeyStore;
  /** Of the same family as the store: SQL passkeys need their user row (foreign key). */
  readonly users: UserRepository;
  teardown(): Promise<void>;
}

const CONCURRENT_CALLERS = 10;
const USED_AT = at('2026-03-01T10:30:00.123Z');

/** A passkey as RegisterPasskey stores it: a fresh credential id, a 77-byte COSE key, never used. */
export const aPasskey = (userId: string, overrides: Partial<Passkey> = {}): Passkey => ({
  id: randomBytes(32).toString('base64url'),
  userId,
  publicKey: new Uint8Array(randomBytes(77)),
  counter: 0,
  transports: ['internal', 'hybrid'],
  name: 'Laptop',
  createdAt: at('2026-03-01T10:00:00.001Z'),
  lastUsedAt: null,
  ...overrides,
});

/** What every PasskeyStore must do, whatever stores it. */
export function passkeyStoreContract(name: string, setup: () => Promise<PasskeyStoreFixture>, { cascadesUserDeletion = true } = {}): void {
  describe(`PasskeyStore contract: ${name}`, () => {
    let fixture: PasskeyStoreFixture | undefined;
    let store: PasskeyStore;
    let users: UserRepository;
    let userId: string;

    const newUserId = async (): Promise<string> => (await users.create(aUser())).id;
    const added = async (overrides: Partial<Passkey> = {}, owner = userId): Promise<Passkey> => {
      const passkey = aPasskey(owner, overrides);
      expect(await store.add(passkey)).to.equal(true);
      return passkey;
    };

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      users = fixture.users;
      userId = await newUserId();
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    describe('add and find', () => {
      it('finds a passkey with every field intact: key bytes, transports, dates to the millisecond', async () => {
        const passkey = await added({ name: 'Ключ ✓', counter: 4_294_967_295, lastUsedAt: at('2026-03-01T10:59:59.999Z') });
        const found = await store.findById(passkey.id);
        expect(found).to.deep.equal(passkey);
        expect(found?.publicKey).to.be.instanceOf(Uint8Array);
        expect(found?.createdAt.toISOString()).to.equal('2026-03-01T10:00:00.001Z');
      });

      it('keeps a credential id of 1,364 characters (1,023 bytes, the WebAuthn maximum)', async () => {
        const passkey = await added({ id: randomBytes(1023).toString('base64url') });
        expect((await store.findById(passkey.id))?.id).to.equal(passkey.id);
      });

      it('answers null for a credential id it does not hold, and tells ids apart by case', async () => {
        const passkey = await added({ id: 'AbCdEfGhIjKlMnOp' });
        expect(await store.findById('abcdefghijklmnop')).to.equal(null);
        expect(await store.findById(randomBytes(32).toString('base64url'))).to.equal(null);
        expect((await store.findById(passkey.id))?.id).to.equal('AbCdEfGhIjKlMnOp');
      });

      it('refuses a second passkey with the same credential id, even for another user, and keeps the first', async () => {
        const first = await added();
        const other = await newUserId();
        expect(await store.add(aPasskey(other, { id: first.id }))).to.equal(false);
        expect((await store.findById(first.id))?.userId).to.equal(userId);
      });

      it('hands out copies: changing a returned passkey changes nothing stored', async () => {
        const passkey = await added();
        const found = (await store.findById(passkey.id)) as Mutable<Passkey>;
        found.name = 'changed';
        found.publicKey[0] = (found.publicKey[0] ?? 0) ^ 0xff;
        expect(await store.findById(passkey.id)).to.deep.equal(passkey);
      });
    });

    describe('listFor and countFor', () => {
      it("lists only the user's passkeys, oldest first, and counts them", async () => {
        const second = await added({ createdAt: at('2026-03-02T00:00:00.000Z') });
        const first = await added({ createdAt: at('2026-03-01T00:00:00.000Z') });
        await added({}, await newUserId());
        expect((await store.listFor(userId)).map((p) => p.id)).to.deep.equal([first.id, second.id]);
        expect(await store.countFor(userId)).to.equal(2);
      });

      it('lists nothing and counts 0 for a user without passkeys', async () => {
        const other = await newUserId();
        expect(await store.listFor(other)).to.deep.equal([]);
        expect(await store.countFor(other)).to.equal(0);
      });
    });

    describe('removeFor', () => {
      it("removes the user's own passkey: it is found no more", async () => {
        const passkey = await added();
        expect(await store.removeFor(userId, passkey.id)).to.equal(true);
        expect(await store.findById(passkey.id)).to.equal(null);
        expect(await store.countFor(userId)).to.equal(0);
      });

      it("answers false for another user's passkey and leaves it in place", async () => {
        const passkey = await added();
        expect(await store.removeFor(await newUserId(), passkey.id)).to.equal(false);
        expect(await store.findById(passkey.id)).to.not.equal(null);
      });

      it('answers false for an unknown id', async () => {
        expect(await store.removeFor(userId, 'no-such-credential')).to.equal(false);
      });
    });

    describe('recordUse: the counter only advances', () => {
      it('records a greater counter and the time of use', async () => {
        const passkey = await added({ counter: 5 });
        expect(await store.recordUse(passkey.id, 6, USED_AT)).to.equal(true);
        const found = await store.findById(passkey.id);
        expect(found?.counter).to.equal(6);
        expect(found?.lastUsedAt?.toISOString()).to.equal('2026-03-01T10:30:00.123Z');
      });

      it('refuses the same counter and a smaller one, changing nothing', async () => {
        const passkey = await added({ counter: 5 });
        expect(await store.recordUse(passkey.id, 5, USED_AT)).to.equal(false);
        expect(await store.recordUse(passkey.id, 4, USED_AT)).to.equal(false);
        expect(await store.findById(passkey.id)).to.deep.equal(passkey);
      });

      it('accepts 0 again and again from an authenticator that keeps no counter', async () => {
        const passkey = await added({ counter: 0 });
        expect(await store.recordUse(passkey.id, 0, USED_AT)).to.equal(true);
        expect(await store.recordUse(passkey.id, 0, at('2026-03-01T10:31:00.000Z'))).to.equal(true);
        expect((await store.findById(passkey.id))?.lastUsedAt?.toISOString()).to.equal('2026-03-01T10:31:00.000Z');
      });

      it('refuses 0 from an authenticator that has counted', async () => {
        const passkey = await added({ counter: 0 });
        expect(await store.recordUse(passkey.id, 3, USED_AT)).to.equal(true);
        expect(await store.recordUse(passkey.id, 0, USED_AT)).to.equal(false);
        expect((await store.findById(passkey.id))?.counter).to.equal(3);
      });

      it('answers false for an unknown id', async () => {
        expect(await store.recordUse('no-such-credential', 1, USED_AT)).to.equal(false);
      });

      it('gives exactly one true to ten concurrent uses presenting the same counter', async () => {
        const passkey = await added({ counter: 5 });
        const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.recordUse(passkey.id, 6, USED_AT)));
        expect(results.filter(Boolean)).to.have.length(1);
        expect((await store.findById(passkey.id))?.counter).to.equal(6);
      });
    });

    if (cascadesUserDeletion) {
      it("forgets a user's passkeys when the user is deleted", async () => {
        const passkey = await added();
        await users.delete(userId);
        expect(await store.findById(passkey.id)).to.equal(null);
      });
    }
  });
}
