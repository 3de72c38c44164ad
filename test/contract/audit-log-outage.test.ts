import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDatabase } from '../../src/adapters/persistence/knex/database.js';
import { KnexAuditLog } from '../../src/adapters/persistence/knex/knex-audit-log.js';

const rejectionOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );

/** A database that refuses connections becomes SERVICE_UNAVAILABLE at the adapter's edge, never a driver error. */
describe('KnexAuditLog with its database unreachable', () => {
  let db: Knex;
  let log: KnexAuditLog;
  before(() => {
    // Port 1 on the loopback: refused at once, no server needed.
    db = createDatabase('mysql://root@127.0.0.1:1/unreachable', { warn: () => undefined });
    log = new KnexAuditLog(db);
  });
  after(() => db.destroy());

  const now = new Date('2026-03-01T10:30:00.000Z');
  const calls: Record<string, () => Promise<unknown>> = {
    append: () =>
      log.append({ id: '00000000-0000-4000-8000-000000000001', at: now, type: 'login.failed', userId: null, actorId: null, sessionId: null, ip: null, userAgent: null, detail: {} }),
    list: () => log.list({ limit: 10, after: { at: now, id: 'x' } }),
    prune: () => log.prune(now, 10),
    scrub: () => log.scrub('u', ['ada@example.com']),
  };

  for (const [method, call] of Object.entries(calls)) {
    it(`${method} rejects with SERVICE_UNAVAILABLE`, async () => {
      expect((await rejectionOf(call())) as { code?: unknown }).to.have.property('code', 'SERVICE_UNAVAILABLE');
    });
  }
});
