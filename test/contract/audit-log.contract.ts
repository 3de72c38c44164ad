import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { AuditLog, EventCursor } from '../../src/domain/ports/audit-log.js';
import type { SecurityEvent } from '../../src/domain/security-event.js';

export interface AuditLogFixture {
  readonly log: AuditLog;
  teardown(): Promise<void>;
}

const at = (iso: string): Date => new Date(iso);
const T0 = at('2026-03-01T10:00:00.000Z');
const plus = (ms: number): Date => new Date(T0.getTime() + ms);

/** An event with every field set; ids are random, so ties on `at` are broken in no planned order. */
const anEvent = (overrides: Partial<SecurityEvent> = {}): SecurityEvent => ({
  id: randomUUID(),
  at: new Date(T0),
  type: 'login.succeeded',
  userId: randomUUID(),
  actorId: null,
  sessionId: null,
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (contract test)',
  detail: {},
  ...overrides,
});

/** What a store must answer for `events` newest first: by `at` descending, then `id` descending. */
const newestFirst = (events: readonly SecurityEvent[]): string[] =>
  [...events].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((e) => e.id);

const ids = (events: readonly SecurityEvent[]): string[] => events.map((e) => e.id);
const cursorOf = (e: SecurityEvent): EventCursor => ({ at: e.at, id: e.id });

/** What every AuditLog must do, whatever stores it. */
export function auditLogContract(name: string, setup: () => Promise<AuditLogFixture>): void {
  describe(`AuditLog contract: ${name}`, () => {
    let fixture: AuditLogFixture | undefined;
    let log: AuditLog;

    const appended = async (...events: SecurityEvent[]): Promise<SecurityEvent[]> => {
      for (const e of events) await log.append(e);
      return events;
    };

    beforeEach(async () => {
      fixture = await setup();
      log = fixture.log;
    });

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    describe('append and list', () => {
      it('gives an event back with every field intact: detail of every kind, the time to the millisecond', async () => {
        const event = anEvent({
          at: at('2026-03-01T10:00:00.001Z'),
          type: 'admin.user_updated',
          actorId: randomUUID(),
          sessionId: randomUUID(),
          ip: '2001:db8:85a3:0000:0000:8a2e:0370:7334',
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) “quoted” ünïcödé',
          detail: { reason: 'admin', count: 3, ratio: 0.5, enabled: true, disabled: false, none: null, fields: ['roles', 'disabled'], empty: [], text: 'a "quoted" \\ value' },
        });
        await log.append(event);

        const [found] = await log.list({ userId: event.userId as string, limit: 10 });

        expect(found).to.deep.equal(event);
        expect(found?.at.toISOString()).to.equal('2026-03-01T10:00:00.001Z');
      });

      it('keeps null user, actor, session, ip and user agent as null', async () => {
        const event = anEvent({ type: 'login.failed', userId: null, ip: null, userAgent: null, detail: { reason: 'unknown_email' } });
        await log.append(event);

        expect(await log.list({ type: 'login.failed', limit: 10 })).to.deep.equal([event]);
      });

      it('cuts a user agent longer than 255 characters to 255', async () => {
        const event = anEvent({ userAgent: 'x'.repeat(300) });
        await log.append(event);

        const [found] = await log.list({ userId: event.userId as string, limit: 1 });
        expect(found?.userAgent).to.equal('x'.repeat(255));
      });

      it('hands out copies: changing what it returned or what it was given changes nothing stored', async () => {
        const event = anEvent({ at: new Date(T0), detail: { fields: ['a', 'b'] } });
        await log.append(event);
        (event.detail.fields as string[]).push('c');
        event.at.setTime(0);

        const [first] = await log.list({ limit: 1 });
        (first?.detail.fields as string[]).push('d');
        (first as { type: string }).type = 'changed';

        const [again] = await log.list({ limit: 1 });
        expect(again?.detail.fields).to.deep.equal(['a', 'b']);
        expect(again?.type).to.equal('login.succeeded');
        expect(again?.at.toISOString()).to.equal(T0.toISOString());
      });

      it('refuses a second event with the same id', async () => {
        const event = anEvent();
        await log.append(event);
        let failed = false;
        await log.append({ ...event, type: 'login.failed' }).catch(() => (failed = true));
        expect(failed).to.equal(true);
        expect(await log.list({ limit: 10 })).to.deep.equal([event]);
      });
    });

    describe('filters', () => {
      const alice = randomUUID();
      const bob = randomUUID();
      let events: SecurityEvent[];

      beforeEach(async () => {
        events = await appended(
          anEvent({ userId: alice, type: 'login.succeeded', at: plus(1) }),
          anEvent({ userId: alice, type: 'login.failed', at: plus(2) }),
          anEvent({ userId: bob, type: 'login.failed', at: plus(3) }),
          anEvent({ userId: null, type: 'login.failed', at: plus(4) }),
          anEvent({ userId: alice, type: 'password.changed', at: plus(5) }),
        );
      });

      it("lists one user's events only", async () => {
        expect(ids(await log.list({ userId: alice, limit: 10 }))).to.deep.equal(newestFirst(events.filter((e) => e.userId === alice)));
      });

      it('lists one type only, whoever it happened to', async () => {
        expect(ids(await log.list({ type: 'login.failed', limit: 10 }))).to.deep.equal(newestFirst(events.filter((e) => e.type === 'login.failed')));
      });

      it('lists one type of one user', async () => {
        expect(ids(await log.list({ userId: alice, type: 'login.failed', limit: 10 }))).to.deep.equal([events[1]?.id]);
      });

      it('lists everything without a filter, and nothing for a user it has never seen', async () => {
        expect(ids(await log.list({ limit: 10 }))).to.deep.equal(newestFirst(events));
        expect(await log.list({ userId: randomUUID(), limit: 10 })).to.deep.equal([]);
      });
    });

    describe('order and pages', () => {
      it('lists newest first, breaking ties on the time by id, descending', async () => {
        const events = await appended(
          anEvent({ at: plus(0) }),
          anEvent({ at: plus(1000) }),
          anEvent({ at: plus(1000) }),
          anEvent({ at: plus(1000) }),
          anEvent({ at: plus(1) }),
          anEvent({ at: plus(2000) }),
        );

        expect(ids(await log.list({ limit: 10 }))).to.deep.equal(newestFirst(events));
      });

      it('gives at most `limit` events, the newest', async () => {
        const events = await appended(...Array.from({ length: 5 }, (_, i) => anEvent({ at: plus(i) })));
        expect(ids(await log.list({ limit: 2 }))).to.deep.equal(newestFirst(events).slice(0, 2));
      });

      it('pages with the cursor through every event exactly once, even when new events arrive between pages', async () => {
        const userId = randomUUID();
        // Three times shared by several events each: pages must cut inside a tie without losing or repeating one.
        const events = await appended(...Array.from({ length: 11 }, (_, i) => anEvent({ userId, at: plus(Math.floor(i / 4) * 1000) })));
        const seen: string[] = [];
        let after: EventCursor | undefined;
        for (let page = 0; page < 20; page += 1) {
          const found = await log.list({ userId, after, limit: 3 });
          seen.push(...ids(found));
          const last = found.at(-1);
          if (found.length < 3 || last === undefined) break;
          after = cursorOf(last);
          // Newer than everything, and one in the very tie the cursor stands in: neither may show up on a later page.
          await appended(anEvent({ userId, at: plus(10_000) }), anEvent({ userId, at: last.at, id: 'ffffffff-ffff-4fff-bfff-ffffffffffff'.slice(0, 35) + String(page % 10) }));
        }

        expect(seen).to.deep.equal(newestFirst(events));
      });

      it('reads strictly older than the cursor: same time and a smaller id, or an earlier time', async () => {
        const [a, b, c] = await appended(
          anEvent({ at: plus(5), id: '00000000-0000-4000-8000-00000000000a' }),
          anEvent({ at: plus(5), id: '00000000-0000-4000-8000-00000000000b' }),
          anEvent({ at: plus(4), id: '00000000-0000-4000-8000-00000000000c' }),
        );
        expect(ids(await log.list({ after: cursorOf(b as SecurityEvent), limit: 10 }))).to.deep.equal([a?.id, c?.id]);
        expect(ids(await log.list({ after: cursorOf(a as SecurityEvent), limit: 10 }))).to.deep.equal([c?.id]);
        expect(await log.list({ after: cursorOf(c as SecurityEvent), limit: 10 })).to.deep.equal([]);
      });
    });

    describe('prune', () => {
      it('forgets only the events older than the given time, and says how many', async () => {
        const [old1, old2, atCut, newer] = await appended(anEvent({ at: plus(0) }), anEvent({ at: plus(1) }), anEvent({ at: plus(2) }), anEvent({ at: plus(3) }));

        expect(await log.prune(plus(2), 100)).to.equal(2);

        expect(ids(await log.list({ limit: 10 }))).to.deep.equal([newer?.id, atCut?.id]);
        expect(ids(await log.list({ limit: 10 }))).to.not.include.members([old1?.id, old2?.id]);
      });

      it('forgets at most `limit` events per call, the oldest first, and 0 once none is left', async () => {
        const events = await appended(...Array.from({ length: 5 }, (_, i) => anEvent({ at: plus(i) })));

        expect(await log.prune(plus(100), 2)).to.equal(2);
        expect(ids(await log.list({ limit: 10 }))).to.deep.equal(newestFirst(events.slice(2)));
        expect(await log.prune(plus(100), 2)).to.equal(2);
        expect(await log.prune(plus(100), 2)).to.equal(1);
        expect(await log.prune(plus(100), 2)).to.equal(0);
        expect(await log.list({ limit: 10 })).to.deep.equal([]);
      });
    });

    describe('scrub', () => {
      it("removes the given values from that user's event details, keeping ids, types, times and every other value", async () => {
        const erased = randomUUID();
        const other = randomUUID();
        const email = 'ada@example.com';
        const name = 'Ada Lovelace';
        const [mine, mineToo, untouched, theirs] = await appended(
          anEvent({ userId: erased, type: 'email.changed', at: plus(1), detail: { from: email, to: 'ada2@example.com', verified: true } }),
          anEvent({ userId: erased, type: 'admin.user_updated', at: plus(2), detail: { name, fields: ['name', name, email, 'roles'], count: 2, none: null } }),
          anEvent({ userId: erased, type: 'login.succeeded', at: plus(3), detail: { method: 'password' } }),
          anEvent({ userId: other, type: 'admin.user_updated', at: plus(4), detail: { note: email, fields: [name] } }),
        );

        await log.scrub(erased, [email, name]);

        expect(await log.list({ userId: erased, limit: 10 })).to.deep.equal([
          { ...untouched },
          { ...mineToo, detail: { name: null, fields: ['name', 'roles'], count: 2, none: null } },
          { ...mine, detail: { from: null, to: 'ada2@example.com', verified: true } },
        ]);
        expect(await log.list({ userId: other, limit: 10 })).to.deep.equal([theirs]);
      });

      it('scrubs every event of a user with more events than one batch', async () => {
        const userId = randomUUID();
        for (let i = 0; i < 450; i += 1) await log.append(anEvent({ userId, at: plus(i % 7), detail: { email: 'gone@example.com', i } }));

        await log.scrub(userId, ['gone@example.com']);

        const events = await log.list({ userId, limit: 1000 });
        expect(events).to.have.length(450);
        expect(events.filter((e) => e.detail.email !== null)).to.deep.equal([]);
        expect(new Set(events.map((e) => e.detail.i)).size).to.equal(450);
      });
    });
  });
}
