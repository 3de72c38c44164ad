import { expect } from 'chai';
import type { EmailTokenKind, EmailTokenRecord } from '../../src/domain/email-token.js';
import type { EmailTokenStore } from '../../src/domain/ports/email-token-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { anEmailToken, anEmailTokenDigest, at, aUser, type Mutable } from './builders.js';

export interface EmailTokenStoreFixture {
  readonly store: EmailTokenStore;
  /** Of the same family as the store: SQL tokens need their user row (foreign key). */
  readonly users: UserRepository;
  teardown(): Promise<void>;
}

const CONCURRENT_CALLERS = 10;
/** Between the builder's issue (10:00) and expiry (11:00). */
const NOW = at('2026-03-01T10:30:00.000Z');
const LATER = at('2026-03-01T10:45:00.000Z');

/** What every EmailTokenStore must do, whatever stores it. */
/**
 * `cascadesUserDeletion`: whether deleting a user through the family's UserRepository forgets the
 * user's tokens (an SQL cascade). The in-memory store shares nothing with the in-memory users, so
 * that rule is not its to keep, and its runner leaves the rule out (rather than skipping it).
 */
export function emailTokenStoreContract(name: string, setup: () => Promise<EmailTokenStoreFixture>, { cascadesUserDeletion = true } = {}): void {
  describe(`EmailTokenStore contract: ${name}`, () => {
    let fixture: EmailTokenStoreFixture | undefined;
    let store: EmailTokenStore;
    let users: UserRepository;
    let userId: string;

    const newUserId = async (): Promise<string> => (await users.create(aUser())).id;

    /** Issues a token of `userId` (or of `owner`) and returns it as given. */
    const issued = async (overrides: Partial<EmailTokenRecord> = {}, owner = userId): Promise<EmailTokenRecord> => {
      const token = anEmailToken(owner, overrides);
      await store.issue(token);
      return token;
    };

    const isLive = async (token: EmailTokenRecord, now = NOW): Promise<boolean> => (await store.findLive(token.digest, token.kind, now)) !== null;

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

    describe('issue and findLive', () => {
      it('finds an issued token with every field intact, dates to the millisecond', async () => {
        const token = await issued({ kind: 'change_email', createdAt: at('2026-03-01T10:00:00.001Z'), expiresAt: at('2026-03-01T10:59:59.999Z') });

        const found = await store.findLive(token.digest, 'change_email', NOW);

        expect(found).to.deep.equal(token);
        expect(found?.createdAt.toISOString()).to.equal('2026-03-01T10:00:00.001Z');
        expect(found?.expiresAt.toISOString()).to.equal('2026-03-01T10:59:59.999Z');
      });

      it('spends nothing: a token found live is still live and can still be consumed', async () => {
        const token = await issued();

        expect(await isLive(token)).to.equal(true);
        expect(await isLive(token)).to.equal(true);
        expect(await store.consume(token.digest, token.kind, NOW)).to.equal(true);
      });

      it('answers null for a digest it does not hold', async () => {
        await issued();
        expect(await store.findLive(anEmailTokenDigest(), 'verify_email', NOW)).to.equal(null);
      });

      it('does not hand a token out under another kind', async () => {
        const token = await issued({ kind: 'reset_password' });

        for (const kind of ['verify_email', 'change_email'] as const) {
          expect(await store.findLive(token.digest, kind, NOW), kind).to.equal(null);
          expect(await store.consume(token.digest, kind, NOW), kind).to.equal(false);
        }
        expect(await isLive(token), 'still live under its own kind').to.equal(true);
      });

      it('is live up to the millisecond before its expiry, and never from its expiry on', async () => {
        const token = await issued({ expiresAt: at('2026-03-01T11:00:00.000Z') });

        expect(await isLive(token, at('2026-03-01T10:59:59.999Z'))).to.equal(true);
        expect(await isLive(token, at('2026-03-01T11:00:00.000Z'))).to.equal(false);
        expect(await isLive(token, at('2026-03-02T00:00:00.000Z'))).to.equal(false);
        expect(await store.consume(token.digest, token.kind, at('2026-03-01T11:00:00.000Z')), 'an expired token is not spent').to.equal(false);
      });

      it('returns copies: changing a given or found token leaves the stored one as it was', async () => {
        const token = anEmailToken(userId);
        const given = { ...token, createdAt: new Date(token.createdAt), expiresAt: new Date(token.expiresAt) } as Mutable<EmailTokenRecord>;
        await store.issue(given);
        given.expiresAt.setTime(0);
        given.email = 'changed@example.com' as EmailTokenRecord['email'];
        const found = (await store.findLive(token.digest, token.kind, NOW)) as Mutable<EmailTokenRecord>;
        found.expiresAt.setTime(0);
        found.userId = 'someone-else';

        expect(await store.findLive(token.digest, token.kind, NOW)).to.deep.equal(token);
      });
    });

    describe('consume', () => {
      it('spends a live token once: true the first time, false after, and it is never live again', async () => {
        const token = await issued();

        expect(await store.consume(token.digest, token.kind, NOW)).to.equal(true);
        expect(await store.consume(token.digest, token.kind, LATER)).to.equal(false);

        expect(await isLive(token, LATER)).to.equal(false);
      });

      it('answers false for a digest it does not hold', async () => {
        expect(await store.consume(anEmailTokenDigest(), 'verify_email', NOW)).to.equal(false);
      });

      it('gives exactly one true to ten concurrent consumes of one token', async () => {
        const token = await issued();

        const results = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => store.consume(token.digest, token.kind, NOW)));

        expect(results.filter((won) => won)).to.have.length(1);
        expect(await isLive(token)).to.equal(false);
      });
    });

    describe('issue voids the older tokens of its kind', () => {
      it('voids the user’s older unused token of the same kind: only the newest link works', async () => {
        const older = await issued();
        const newer = await issued({ createdAt: at('2026-03-01T10:10:00.000Z') });

        expect(await isLive(older), 'the older').to.equal(false);
        expect(await store.consume(older.digest, older.kind, NOW), 'the older').to.equal(false);
        expect(await isLive(newer), 'the newer').to.equal(true);
      });

      it('leaves tokens of other kinds and of other users live', async () => {
        const otherKinds = [await issued({ kind: 'reset_password' }), await issued({ kind: 'change_email' })];
        const someoneElses = await issued({}, await newUserId());

        const newer = await issued({ createdAt: at('2026-03-01T10:10:00.000Z') });

        for (const token of otherKinds) expect(await isLive(token), token.kind).to.equal(true);
        expect(await isLive(someoneElses), "another user's").to.equal(true);
        expect(await isLive(newer)).to.equal(true);
      });

      it('leaves exactly one token of a kind live when ten are issued for one user at once', async () => {
        const tokens = Array.from({ length: CONCURRENT_CALLERS }, (_, i) => anEmailToken(userId, { createdAt: new Date(at('2026-03-01T10:00:00.000Z').getTime() + i) }));

        await Promise.all(tokens.map((token) => store.issue(token)));

        const live = await Promise.all(tokens.map((token) => isLive(token)));
        expect(live.filter(Boolean)).to.have.length(1);
      });
    });

    describe('issue for many users at once', () => {
      it('issues for ten users at the same moment, and every one of their tokens is live', async () => {
        const owners = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => newUserId()));
        // Some of them with an older token to void, some without.
        for (const owner of owners.slice(0, CONCURRENT_CALLERS / 2)) await issued({}, owner);
        const tokens = owners.map((owner) => anEmailToken(owner, { createdAt: at('2026-03-01T10:10:00.000Z') }));

        await Promise.all(tokens.map((token) => store.issue(token)));

        for (const token of tokens) expect(await isLive(token), token.userId).to.equal(true);
      });
    });

    describe('voidAllForUser', () => {
      it('voids every unused token of the user, of every kind, and only the user’s', async () => {
        const mine = await Promise.all((['verify_email', 'reset_password', 'change_email'] as const).map((kind) => issued({ kind })));
        const someoneElses = await issued({}, await newUserId());

        await store.voidAllForUser(userId, NOW);

        for (const token of mine) expect(await isLive(token), token.kind).to.equal(false);
        expect(await isLive(someoneElses), "another user's").to.equal(true);
      });

      it('voids only the named kind when given one', async () => {
        const reset = await issued({ kind: 'reset_password' });
        const verify = await issued({ kind: 'verify_email' });

        await store.voidAllForUser(userId, NOW, 'reset_password');

        expect(await isLive(reset)).to.equal(false);
        expect(await isLive(verify)).to.equal(true);
      });

      it('keeps the time a token was spent: voiding later does not move it', async () => {
        const spent = await issued();
        expect(await store.consume(spent.digest, spent.kind, at('2026-03-01T10:10:00.000Z'))).to.equal(true);

        await store.voidAllForUser(userId, LATER);

        // Spent at 10:10, so a sweep at 10:20 forgets it; had voiding moved it to 10:45, it would not.
        expect(await store.prune(at('2026-03-01T10:20:00.000Z'), 100)).to.equal(1);
      });

      it('is harmless for a user without tokens', async () => {
        await store.voidAllForUser(await newUserId(), NOW);
        await store.voidAllForUser(userId, NOW, 'change_email');
      });
    });

    describe('prune', () => {
      const kinds: readonly EmailTokenKind[] = ['verify_email', 'reset_password', 'change_email'];

      it('forgets spent, voided and expired tokens, keeps live ones, and counts what it forgot', async () => {
        const spent = await issued({ kind: 'verify_email' });
        expect(await store.consume(spent.digest, spent.kind, NOW)).to.equal(true);
        const voided = await issued({ kind: 'reset_password' });
        await store.voidAllForUser(userId, NOW, 'reset_password');
        const expired = await issued({ kind: 'change_email', expiresAt: NOW });
        const live = [await issued({ kind: 'reset_password', expiresAt: at('2026-03-01T10:30:00.001Z') }), await issued({}, await newUserId())];

        expect(await store.prune(NOW, 100)).to.equal(3);

        // Forgotten tokens can never come back to life, even asked about at an earlier time.
        for (const token of [spent, voided, expired]) expect(await isLive(token, at('2026-03-01T10:00:00.500Z')), token.kind).to.equal(false);
        for (const token of live) expect(await store.findLive(token.digest, token.kind, NOW), 'kept').to.deep.equal(token);
        expect(await store.prune(NOW, 100), 'nothing left to prune').to.equal(0);
      });

      it('forgets what it prunes: a pruned expired token is gone, not merely not live', async () => {
        const expired = await issued({ expiresAt: NOW });
        expect(await isLive(expired, at('2026-03-01T10:00:00.500Z')), 'live before its expiry').to.equal(true);

        expect(await store.prune(NOW, 100)).to.equal(1);

        expect(await isLive(expired, at('2026-03-01T10:00:00.500Z')), 'pruned').to.equal(false);
      });

      it('judges spent and voided tokens at `now`: one spent after it waits for a later sweep', async () => {
        const spentLater = await issued();
        expect(await store.consume(spentLater.digest, spentLater.kind, LATER)).to.equal(true);

        expect(await store.prune(NOW, 100), 'at NOW').to.equal(0);
        expect(await store.prune(LATER, 100), 'at LATER').to.equal(1);
      });

      it('forgets at most `limit` tokens per call', async () => {
        for (let i = 0; i < 3; i++) {
          const owner = await newUserId();
          for (const kind of kinds) await issued({ kind }, owner);
          await store.voidAllForUser(owner, NOW);
        }
        for (let i = 0; i < 2; i++) await issued({ expiresAt: NOW }, await newUserId());
        const live = await issued();

        const batches = [await store.prune(NOW, 4), await store.prune(NOW, 4), await store.prune(NOW, 4), await store.prune(NOW, 4)];

        expect(batches).to.deep.equal([4, 4, 3, 0]);
        expect(await isLive(live)).to.equal(true);
        expect(await store.prune(NOW, 0), 'a limit of 0').to.equal(0);
      });
    });

    if (cascadesUserDeletion) describe('deleting the user', () => {
      it('forgets the deleted user’s tokens and no other', async () => {
        const mine = await issued();
        const someoneElses = await issued({}, await newUserId());

        await users.delete(userId);

        expect(await isLive(mine)).to.equal(false);
        expect(await isLive(someoneElses)).to.equal(true);
        expect(await store.prune(at('2027-01-01T00:00:00.000Z'), 100), 'only the other user’s token was left to prune').to.equal(1);
      });
    });
  });
}
