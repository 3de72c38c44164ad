import { expect } from 'chai';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import type { Session } from '../../src/domain/session.js';
import { aDigest, aSession, aUser, at, type Mutable } from './builders.js';

export interface TokenStoreFixture {
  readonly store: TokenStore;
  /** Of the same family as the store: SQL sessions need their user row (foreign key). */
  readonly users: UserRepository;
  teardown(): Promise<void>;
}

const CONCURRENT_CALLERS = 10;

/** What every TokenStore must do, whatever stores it. */
export function tokenStoreContract(name: string, setup: () => Promise<TokenStoreFixture>): void {
  describe(`TokenStore contract: ${name}`, () => {
    let fixture: TokenStoreFixture | undefined;
    let store: TokenStore;
    let users: UserRepository;
    let userId: string;

    const newUserId = async (): Promise<string> => (await users.create(aUser())).id;

    /** Creates a session of `userId` (or of `owner`) and returns it as given. */
    const started = async (overrides: Partial<Session> = {}, owner = userId): Promise<Session> => {
      const session = aSession(owner, overrides);
      await store.create(session);
      return session;
    };

    const stored = async (id: string): Promise<Session> => {
      const session = await store.find(id);
      if (!session) throw new Error(`session ${id} is not stored`);
      return session;
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

    describe('create and find', () => {
      it('finds a created session with every field intact, dates to the millisecond', async () => {
        const session = await started({
          createdAt: at('2026-01-02T03:04:05.001Z'),
          lastUsedAt: at('2026-01-03T03:04:05.999Z'),
          expiresAt: at('2026-04-02T03:04:05.123Z'),
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Ünïcode/1.0',
          previousTokenDigest: aDigest(),
          rotatedAt: at('2026-01-03T03:04:05.999Z'),
          endedAt: at('2026-01-04T00:00:00.457Z'),
        });

        const found = await stored(session.id);

        expect(found).to.deep.equal(session);
        expect(found.createdAt.toISOString()).to.equal('2026-01-02T03:04:05.001Z');
        expect(found.lastUsedAt.toISOString()).to.equal('2026-01-03T03:04:05.999Z');
        expect(found.expiresAt.toISOString()).to.equal('2026-04-02T03:04:05.123Z');
        expect(found.rotatedAt?.toISOString()).to.equal('2026-01-03T03:04:05.999Z');
        expect(found.endedAt?.toISOString()).to.equal('2026-01-04T00:00:00.457Z');
      });

      it('keeps the nullable fields of a new session null', async () => {
        const session = await started({ userAgent: null, previousTokenDigest: null, rotatedAt: null, endedAt: null });

        const found = await stored(session.id);

        expect(found).to.deep.equal(session);
        expect([found.userAgent, found.previousTokenDigest, found.rotatedAt, found.endedAt]).to.deep.equal([null, null, null, null]);
      });

      it('answers null for a session it does not hold', async () => {
        await started();
        expect(await store.find('00000000-0000-4000-8000-000000000000')).to.equal(null);
      });

      it('returns copies: changing a found or listed session leaves the stored one as it was', async () => {
        const session = await started();
        const found = (await stored(session.id)) as Mutable<Session>;
        found.currentTokenDigest = aDigest();
        found.endedAt = at('2026-01-02T04:00:00.000Z');
        found.userAgent = 'changed';
        const [listed] = await store.listLive(userId, at('2026-01-03T00:00:00.000Z'));
        expect(listed).to.not.equal(undefined);
        (listed as Mutable<Session>).userId = 'someone-else';

        expect(await stored(session.id)).to.deep.equal(session);
      });

      it('shares no Date with its callers: changing a given or returned Date leaves the stored session as it was', async () => {
        const createdAt = at('2026-01-02T03:04:05.678Z');
        const rotated = await started({ createdAt });
        const rotatedAt = at('2026-01-02T05:00:00.250Z');
        expect(await store.rotate(rotated.id, rotated.currentTokenDigest, aDigest(), rotatedAt)).to.equal(true);
        const ended = await started();
        const endedAt = at('2026-01-02T06:00:00.750Z');
        expect(await store.end(ended.id, endedAt)).to.equal(true);

        const [listed] = await store.listLive(userId, at('2026-01-03T00:00:00.000Z'));
        expect(listed?.id).to.equal(rotated.id);
        listed?.lastUsedAt.setTime(0);
        (await stored(rotated.id)).expiresAt.setTime(0);
        createdAt.setTime(0);
        rotatedAt.setTime(0);
        endedAt.setTime(0);

        const found = await stored(rotated.id);
        expect(found.createdAt.toISOString()).to.equal('2026-01-02T03:04:05.678Z');
        expect(found.rotatedAt?.toISOString()).to.equal('2026-01-02T05:00:00.250Z');
        expect(found.lastUsedAt.toISOString()).to.equal('2026-01-02T05:00:00.250Z');
        expect(found.expiresAt.toISOString()).to.equal('2026-04-02T03:04:05.678Z');
        expect((await stored(ended.id)).endedAt?.toISOString()).to.equal('2026-01-02T06:00:00.750Z');
      });
    });

    describe('rotate', () => {
      it('replaces the current digest when `from` is current, keeping it as previous and recording when', async () => {
        const session = await started({ previousTokenDigest: null, rotatedAt: null });
        const to = aDigest();
        const when = at('2026-01-05T06:07:08.321Z');

        expect(await store.rotate(session.id, session.currentTokenDigest, to, when)).to.equal(true);

        expect(await stored(session.id)).to.deep.equal({
          ...session,
          currentTokenDigest: to,
          previousTokenDigest: session.currentTokenDigest,
          rotatedAt: when,
          lastUsedAt: when,
        });
      });

      it('rotates again from the new current digest', async () => {
        const session = await started();
        const second = aDigest();
        const third = aDigest();
        expect(await store.rotate(session.id, session.currentTokenDigest, second, at('2026-01-05T00:00:00.100Z'))).to.equal(true);

        expect(await store.rotate(session.id, second, third, at('2026-01-05T00:00:00.200Z'))).to.equal(true);

        const found = await stored(session.id);
        expect([found.currentTokenDigest, found.previousTokenDigest]).to.deep.equal([third, second]);
        expect(found.rotatedAt?.toISOString()).to.equal('2026-01-05T00:00:00.200Z');
      });

      it('refuses a stale `from` and changes nothing', async () => {
        const session = await started();
        expect(await store.rotate(session.id, session.currentTokenDigest, aDigest(), at('2026-01-05T00:00:00.100Z'))).to.equal(true);
        const before = await stored(session.id);

        expect(await store.rotate(session.id, session.currentTokenDigest, aDigest(), at('2026-01-06T00:00:00.000Z'))).to.equal(false);
        expect(await store.rotate(session.id, aDigest(), aDigest(), at('2026-01-06T00:00:00.000Z'))).to.equal(false);

        expect(await stored(session.id)).to.deep.equal(before);
      });

      it('refuses to rotate an ended session and changes nothing', async () => {
        const session = await started();
        expect(await store.end(session.id, at('2026-01-04T00:00:00.000Z'))).to.equal(true);
        const before = await stored(session.id);

        expect(await store.rotate(session.id, session.currentTokenDigest, aDigest(), at('2026-01-05T00:00:00.000Z'))).to.equal(false);

        expect(await stored(session.id)).to.deep.equal(before);
      });

      it('refuses to rotate a session it does not hold', async () => {
        const digest = aDigest();
        expect(await store.rotate('00000000-0000-4000-8000-000000000000', digest, aDigest(), at('2026-01-05T00:00:00.000Z'))).to.equal(false);
      });

      it('gives exactly one winner to ten concurrent rotations of the same token', async () => {
        const session = await started();
        const successors = Array.from({ length: CONCURRENT_CALLERS }, () => aDigest());
        const when = at('2026-01-05T00:00:00.500Z');

        const results = await Promise.all(successors.map((to) => store.rotate(session.id, session.currentTokenDigest, to, when)));

        expect(results.filter((won) => won)).to.have.length(1);
        const found = await stored(session.id);
        expect(found.currentTokenDigest).to.equal(successors[results.indexOf(true)]);
        expect(found.previousTokenDigest).to.equal(session.currentTokenDigest);
      });
    });

    describe('end', () => {
      it('ends a live session once: true the first time, false after, keeping the first end time', async () => {
        const session = await started();

        expect(await store.end(session.id, at('2026-01-04T00:00:00.111Z'))).to.equal(true);
        expect(await store.end(session.id, at('2026-01-05T00:00:00.222Z'))).to.equal(false);

        expect(await stored(session.id)).to.deep.equal({ ...session, endedAt: at('2026-01-04T00:00:00.111Z') });
      });

      it('answers false for a session it does not hold', async () => {
        expect(await store.end('00000000-0000-4000-8000-000000000000', at('2026-01-04T00:00:00.000Z'))).to.equal(false);
      });

      it('gives exactly one true to ten concurrent ends of one session', async () => {
        const session = await started();
        const times = Array.from({ length: CONCURRENT_CALLERS }, (_, i) => at(`2026-01-04T00:00:00.${String(100 + i)}Z`));

        const results = await Promise.all(times.map((when) => store.end(session.id, when)));

        expect(results.filter((ended) => ended)).to.have.length(1);
        expect((await stored(session.id)).endedAt).to.deep.equal(times[results.indexOf(true)]);
      });
    });

    describe('endAllForUser', () => {
      it("ends every live session of the user, and only the user's, and counts them", async () => {
        const live = [await started(), await started(), await started()];
        const alreadyEnded = await started({ endedAt: at('2026-01-03T00:00:00.000Z') });
        const otherUser = await newUserId();
        const someoneElses = await started({}, otherUser);
        const when = at('2026-01-10T10:10:10.010Z');

        expect(await store.endAllForUser(userId, when)).to.equal(3);

        for (const session of live) expect(await stored(session.id)).to.deep.equal({ ...session, endedAt: when });
        expect(await stored(alreadyEnded.id)).to.deep.equal(alreadyEnded);
        expect(await stored(someoneElses.id)).to.deep.equal(someoneElses);
      });

      it('spares the session named by exceptId', async () => {
        const current = await started();
        const others = [await started(), await started()];
        const when = at('2026-01-10T10:10:10.010Z');

        expect(await store.endAllForUser(userId, when, current.id)).to.equal(2);

        expect(await stored(current.id)).to.deep.equal(current);
        for (const session of others) expect((await stored(session.id)).endedAt).to.deep.equal(when);
      });

      it('leaves a session ended earlier by end() as it was: its end time does not move and it is not counted', async () => {
        const endedEarlier = await started();
        const live = await started();
        const firstEnd = at('2026-01-05T05:05:05.005Z');
        expect(await store.end(endedEarlier.id, firstEnd)).to.equal(true);
        const when = at('2026-01-10T10:10:10.010Z');

        expect(await store.endAllForUser(userId, when)).to.equal(1);

        expect(await stored(endedEarlier.id)).to.deep.equal({ ...endedEarlier, endedAt: firstEnd });
        expect(await stored(live.id)).to.deep.equal({ ...live, endedAt: when });
        expect(await store.endAllForUser(userId, at('2026-01-11T00:00:00.000Z')), 'nothing left to end').to.equal(0);
        expect((await stored(live.id)).endedAt).to.deep.equal(when);
      });

      it('answers 0 when the user has no live session', async () => {
        const ended = await started({ endedAt: at('2026-01-03T00:00:00.000Z') });

        expect(await store.endAllForUser(userId, at('2026-01-10T00:00:00.000Z'))).to.equal(0);
        expect(await store.endAllForUser(await newUserId(), at('2026-01-10T00:00:00.000Z'))).to.equal(0);
        expect(await stored(ended.id)).to.deep.equal(ended);
      });
    });

    describe('create with a cap (SESSIONS_PER_USER_MAX)', () => {
      const t = (minute: number) => at(`2026-01-05T10:${String(minute).padStart(2, '0')}:00.000Z`);
      /** A sign-in at `when`: created and last used then. */
      const signIn = (when: Date, overrides: Partial<Session> = {}, owner = userId): Session =>
        aSession(owner, { createdAt: when, lastUsedAt: when, ...overrides });

      it('ends the least recently used sessions past the cap at the sign-in, and keeps the new one', async () => {
        const first = signIn(t(1));
        const second = signIn(t(2));
        const third = signIn(t(3));
        for (const session of [first, second, third]) await store.create(session, 3);
        expect(await store.rotate(first.id, first.currentTokenDigest, aDigest(), t(4))).to.equal(true);
        const fourth = signIn(t(5));

        await store.create(fourth, 3);

        expect(await stored(second.id), 'the least recently used').to.deep.equal({ ...second, endedAt: t(5) });
        expect((await store.listLive(userId, t(6))).map((s) => s.id)).to.deep.equal([fourth.id, third.id, first.id]);
      });

      it('ends as many as it takes to come down to the cap', async () => {
        const earlier = [signIn(t(1)), signIn(t(2)), signIn(t(3)), signIn(t(4)), signIn(t(5))];
        for (const session of earlier) await store.create(session);
        const latest = signIn(t(6));

        await store.create(latest, 2);

        expect((await store.listLive(userId, t(7))).map((s) => s.id)).to.deep.equal([latest.id, earlier[4]?.id]);
        for (const session of earlier.slice(0, 4)) expect((await stored(session.id)).endedAt, session.id).to.deep.equal(t(6));
      });

      it("counts only the user's live sessions: ended, expired and other users' sessions neither count nor end", async () => {
        const live = signIn(t(1));
        const ended = signIn(t(2), { endedAt: t(3) });
        const expired = signIn(t(1), { expiresAt: t(4) });
        const someoneElses = signIn(t(1), {}, await newUserId());
        for (const session of [live, ended, expired, someoneElses]) await store.create(session);

        await store.create(signIn(t(4)), 2);

        expect(await stored(live.id)).to.deep.equal(live);
        expect(await stored(ended.id)).to.deep.equal(ended);
        expect(await stored(expired.id)).to.deep.equal(expired);
        expect(await stored(someoneElses.id)).to.deep.equal(someoneElses);
      });

      it('keeps the new session even when others were used in the same millisecond, and orders those by id', async () => {
        const [low, high] = [signIn(t(1), { lastUsedAt: t(9) }), signIn(t(2), { lastUsedAt: t(9) })].sort((a, b) => (a.id < b.id ? -1 : 1));
        if (!low || !high) throw new Error('two sessions');
        await store.create(low);
        await store.create(high);
        const latest = signIn(t(9));

        await store.create(latest, 2);

        expect((await stored(latest.id)).endedAt, 'the new session').to.equal(null);
        expect((await stored(high.id)).endedAt, 'the higher id').to.equal(null);
        expect((await stored(low.id)).endedAt, 'the lower id').to.deep.equal(t(9));
      });

      it('leaves exactly the cap live when ten sign-ins of one user arrive at once', async () => {
        const sessions = Array.from({ length: CONCURRENT_CALLERS }, (_, i) => signIn(new Date(t(1).getTime() + i)));

        await Promise.all(sessions.map((session) => store.create(session, 3)));

        const live = await store.listLive(userId, t(2));
        expect(live, live.map((s) => s.id).join(', ')).to.have.length(3);
        const ended = await Promise.all(sessions.map(async (s) => (await stored(s.id)).endedAt !== null));
        expect(ended.filter(Boolean)).to.have.length(CONCURRENT_CALLERS - 3);
      });

      it('ends a session past the cap for every later read, even one served before the sign-in', async () => {
        const old = signIn(t(1));
        await store.create(old);
        expect((await stored(old.id)).endedAt).to.equal(null);

        await store.create(signIn(t(2)), 1);

        expect((await stored(old.id)).endedAt).to.deep.equal(t(2));
      });
    });

    describe('listLive', () => {
      const now = at('2026-02-01T12:00:00.000Z');

      it("lists the user's live sessions newest first", async () => {
        const oldest = await started({ createdAt: at('2026-01-01T00:00:00.001Z') });
        const newest = await started({ createdAt: at('2026-01-20T00:00:00.000Z') });
        const middle = await started({ createdAt: at('2026-01-10T00:00:00.000Z') });

        expect(await store.listLive(userId, now)).to.deep.equal([newest, middle, oldest]);
      });

      it("leaves out ended and expired sessions and other users' sessions", async () => {
        const live = await started({ expiresAt: at('2026-02-01T12:00:00.001Z') });
        await started({ endedAt: at('2026-01-15T00:00:00.000Z') });
        await started({ expiresAt: now });
        await started({ expiresAt: at('2026-02-01T11:59:59.999Z') });
        await started({}, await newUserId());

        expect(await store.listLive(userId, now)).to.deep.equal([live]);
      });

      it('answers an empty list for a user without sessions', async () => {
        await started();
        expect(await store.listLive(await newUserId(), now)).to.deep.equal([]);
      });
    });
  });
}
