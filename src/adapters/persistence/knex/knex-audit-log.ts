import type { Knex } from 'knex';
import type { AuditLog, EventQuery } from '../../../domain/ports/audit-log.js';
import { detailMentions, scrubDetail } from '../../../domain/scrub-detail.js';
import type { SecurityEvent } from '../../../domain/security-event.js';
import { eventToRow, rowToEvent, type SecurityEventRow } from './audit-rows.js';
import { query } from './errors.js';

/** How many of a user's events one scrub step reads and rewrites. */
const SCRUB_BATCH = 200;

/**
 * Security events in SQL, newest first by (at, id). Every read runs along one of the table's
 * indexes in its order ((user_id, at, id), (type, at, id) or (at, id)), so a page costs its size,
 * not the table's, and needs no sort (test/contract/query-plans.test.ts).
 */
export class KnexAuditLog implements AuditLog {
  constructor(private readonly db: Knex) {}

  append(event: SecurityEvent): Promise<void> {
    return query(async () => {
      await this.db<SecurityEventRow>('security_events').insert(eventToRow(event));
    });
  }

  list(q: EventQuery): Promise<SecurityEvent[]> {
    return query(async () => {
      const rows = await eventsPage(this.db, q);
      return rows.map(rowToEvent);
    });
  }

  /**
   * The ids of up to `limit` of the oldest events before `before`, then a DELETE by id: MySQL
   * refuses a DELETE whose subquery reads the same table, and a DELETE ... LIMIT is not portable.
   */
  prune(before: Date, limit: number): Promise<number> {
    return query(async () => {
      if (limit <= 0) return 0;
      const ids = await prunableEvents(this.db, before, limit).pluck('id');
      if (ids.length === 0) return 0;
      return this.db<SecurityEventRow>('security_events').whereIn('id', ids).del();
    });
  }

  /**
   * Walks the user's events in pages along (user_id, at, id) and rewrites the detail of those
   * that mention a value; ids, types and times stay. Idempotent: a scrub cut short is finished
   * by running it again.
   */
  scrub(userId: string, values: readonly string[]): Promise<void> {
    return query(async () => {
      if (values.length === 0) return;
      let after: { at: Date; id: string } | undefined;
      for (;;) {
        const rows = await eventsPage(this.db, { userId, after, limit: SCRUB_BATCH });
        for (const row of rows) {
          const event = rowToEvent(row);
          if (!detailMentions(event.detail, values)) continue;
          await this.db<SecurityEventRow>('security_events')
            .where({ id: row.id })
            .update({ detail: JSON.stringify(scrubDetail(event.detail, values)) });
        }
        const last = rows.at(-1);
        if (rows.length < SCRUB_BATCH || last === undefined) return;
        after = { at: rowToEvent(last).at, id: last.id };
      }
    });
  }
}

/**
 * One page newest first; the cursor means strictly older: `at < ? OR (at = ? AND id < ?)`.
 * Exported for the query-plan test, which explains this very query.
 */
export function eventsPage(db: Knex, q: EventQuery): Knex.QueryBuilder<SecurityEventRow, SecurityEventRow[]> {
  const builder = db<SecurityEventRow>('security_events').select('*');
  if (q.userId !== undefined) builder.where({ user_id: q.userId });
  if (q.type !== undefined) builder.where({ type: q.type });
  const after = q.after;
  if (after !== undefined) {
    // `at <= ?` adds nothing to the meaning; it is the bound the planners seek the index by (an OR alone they only filter with).
    builder.where('at', '<=', after.at).where((w) => {
      void w.where('at', '<', after.at).orWhere((same) => {
        void same.where('at', '=', after.at).where('id', '<', after.id);
      });
    });
  }
  return builder
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(Math.max(0, q.limit));
}

/** The oldest `limit` events before `before`, along (at, id). Exported for the query-plan test. */
export const prunableEvents = (db: Knex, before: Date, limit: number): Knex.QueryBuilder<SecurityEventRow> =>
  db<SecurityEventRow>('security_events')
    .where('at', '<', before)
    .orderBy([
      { column: 'at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit);
