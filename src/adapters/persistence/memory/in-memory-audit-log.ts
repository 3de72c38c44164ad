import type { AuditLog, EventQuery } from '../../../domain/ports/audit-log.js';
import { scrubDetail } from '../../../domain/scrub-detail.js';
import type { EventDetail, SecurityEvent } from '../../../domain/security-event.js';

/** What KnexAuditLog's column holds: a longer user agent is cut. */
const USER_AGENT_MAX = 255;

const copyDetail = (detail: EventDetail): EventDetail =>
  Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, Array.isArray(v) ? [...(v as readonly string[])] : v]));

const copy = (e: SecurityEvent): SecurityEvent => ({ ...e, at: new Date(e.at), detail: copyDetail(e.detail) });

/** Newest first: by `at` descending, then `id` descending (code-unit order, as the binary collation). */
const newestFirst = (a: SecurityEvent, b: SecurityEvent): number =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const isOlderThan = (e: SecurityEvent, cursor: { readonly at: Date; readonly id: string }): boolean =>
  e.at.getTime() < cursor.at.getTime() || (e.at.getTime() === cursor.at.getTime() && e.id < cursor.id);

/** The same semantics as KnexAuditLog, in a list; copies in and out. */
export class InMemoryAuditLog implements AuditLog {
  private events: SecurityEvent[] = [];

  append(event: SecurityEvent): Promise<void> {
    if (this.events.some((e) => e.id === event.id)) return Promise.reject(new Error('duplicate security event id'));
    this.events.push(copy({ ...event, userAgent: event.userAgent === null ? null : event.userAgent.slice(0, USER_AGENT_MAX) }));
    return Promise.resolve();
  }

  list(q: EventQuery): Promise<SecurityEvent[]> {
    const after = q.after;
    const found = this.events
      .filter((e) => (q.userId === undefined || e.userId === q.userId) && (q.type === undefined || e.type === q.type))
      .filter((e) => after === undefined || isOlderThan(e, after))
      .sort(newestFirst)
      .slice(0, Math.max(0, q.limit));
    return Promise.resolve(found.map(copy));
  }

  prune(before: Date, limit: number): Promise<number> {
    const doomed = new Set(
      this.events
        .filter((e) => e.at.getTime() < before.getTime())
        .sort((a, b) => -newestFirst(a, b))
        .slice(0, Math.max(0, limit))
        .map((e) => e.id),
    );
    this.events = this.events.filter((e) => !doomed.has(e.id));
    return Promise.resolve(doomed.size);
  }

  scrub(userId: string, values: readonly string[]): Promise<void> {
    this.events = this.events.map((e) => (e.userId === userId ? { ...e, detail: scrubDetail(e.detail, values) } : e));
    return Promise.resolve();
  }
}
