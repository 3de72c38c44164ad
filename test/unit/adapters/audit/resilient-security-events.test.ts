import { expect } from 'chai';
import { AUDIT_WRITE_FAILED, ResilientSecurityEvents } from '../../../../src/adapters/audit/resilient-security-events.js';
import { InMemoryAuditLog } from '../../../../src/adapters/persistence/memory/in-memory-audit-log.js';
import { ServiceUnavailableError } from '../../../../src/domain/errors.js';
import type { AuditLog } from '../../../../src/domain/ports/audit-log.js';
import type { SecurityEvent } from '../../../../src/domain/security-event.js';
import type { IdGenerator } from '../../../../src/domain/ports/id-generator.js';
import { capturingLogger } from '../../../support/log-capture.js';
import { FixedClock } from '../../../support/fixed-clock.js';

class CountingIds implements IdGenerator {
  private n = 0;
  newId(): string {
    this.n += 1;
    return `00000000-0000-4000-8000-${String(this.n).padStart(12, '0')}`;
  }
}

/** A log whose every write fails the way the database's do (the message holding the statement and its values). */
const failingLog = (err: unknown): AuditLog => ({
  append: () => Promise.reject(err),
  list: () => Promise.resolve([]),
  prune: () => Promise.resolve(0),
  scrub: () => Promise.resolve(),
});

/** Keeps exactly what it was handed, a tick later (as a database answers). */
class RecordingLog implements AuditLog {
  readonly appended: SecurityEvent[] = [];
  async append(event: SecurityEvent): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.appended.push(event);
  }
  list = () => Promise.resolve([]);
  prune = () => Promise.resolve(0);
  scrub = () => Promise.resolve();
}

const NOW = '2026-03-01T10:00:00.000Z';

describe('ResilientSecurityEvents', () => {
  it('gives the event an id and the clock time, null for what it was not told, and an empty detail', async () => {
    const log = new InMemoryAuditLog();
    const events = new ResilientSecurityEvents(log, new CountingIds(), new FixedClock(NOW), capturingLogger().logger);

    await events.record({ type: 'login.failed' });

    expect(await log.list({ limit: 10 })).to.deep.equal([
      { id: '00000000-0000-4000-8000-000000000001', at: new Date(NOW), type: 'login.failed', userId: null, actorId: null, sessionId: null, ip: null, userAgent: null, detail: {} },
    ]);
  });

  it('keeps a time and the fields it was given, cutting a user agent to 255 characters', async () => {
    const log = new RecordingLog();
    const events = new ResilientSecurityEvents(log, new CountingIds(), new FixedClock(NOW), capturingLogger().logger);
    const given = new Date('2026-02-01T00:00:00.123Z');

    await events.record({ type: 'admin.user_updated', at: given, userId: 'u', actorId: 'a', sessionId: 's', ip: '203.0.113.7', userAgent: 'y'.repeat(400), detail: { fields: ['roles'] } });

    expect(log.appended).to.have.length(1);
    expect(log.appended[0]).to.deep.include({ at: given, type: 'admin.user_updated', userId: 'u', actorId: 'a', sessionId: 's', ip: '203.0.113.7', detail: { fields: ['roles'] } });
    expect(log.appended[0]?.userAgent).to.equal('y'.repeat(255));
  });

  it('resolves only once the write is done, so the event is readable when the request answers', async () => {
    const log = new RecordingLog();
    await new ResilientSecurityEvents(log, new CountingIds(), new FixedClock(NOW), capturingLogger().logger).record({ type: 'session.ended' });
    expect(log.appended.map((e) => e.type)).to.deep.equal(['session.ended']);
  });

  it('gives each event its own id', async () => {
    const log = new InMemoryAuditLog();
    const events = new ResilientSecurityEvents(log, new CountingIds(), new FixedClock(NOW), capturingLogger().logger);
    await events.record({ type: 'login.succeeded' });
    await events.record({ type: 'login.succeeded' });
    expect(new Set((await log.list({ limit: 10 })).map((e) => e.id)).size).to.equal(2);
  });

  it('never rejects when the write fails: it logs one AUDIT_WRITE_FAILED line with the type, and none of the detail, ip or user agent', async () => {
    const { logger, lines, entries } = capturingLogger();
    const cause = Object.assign(new Error("insert into `security_events` values ('ada@example.com', '203.0.113.7', 'SecretAgent/1.0') - Duplicate entry"), { code: 'ER_DUP_ENTRY' });
    const events = new ResilientSecurityEvents(failingLog(cause), new CountingIds(), new FixedClock(NOW), logger);

    await events.record({ type: 'email.changed', ip: '203.0.113.7', userAgent: 'SecretAgent/1.0', detail: { from: 'ada@example.com', fields: ['Ada Lovelace'] } });

    expect(entries()).to.have.length(1);
    expect(entries()[0]).to.deep.include({ code: AUDIT_WRITE_FAILED, eventType: 'email.changed', cause: 'ER_DUP_ENTRY' });
    expect(entries()[0]?.level).to.be.at.least(40);
    for (const secret of ['ada@example.com', 'Ada Lovelace', '203.0.113.7', 'SecretAgent']) expect(lines.join('\n')).to.not.include(secret);
  });

  it('resolves when the database is away (ServiceUnavailableError), and when something throws that is no Error', async () => {
    const { logger, entries } = capturingLogger();
    for (const err of [new ServiceUnavailableError('database'), 'a string', null]) {
      await new ResilientSecurityEvents(failingLog(err), new CountingIds(), new FixedClock(NOW), logger).record({ type: 'login.succeeded' });
    }
    expect(entries().map((e) => e.code)).to.deep.equal([AUDIT_WRITE_FAILED, AUDIT_WRITE_FAILED, AUDIT_WRITE_FAILED]);
  });
});
