import type { NewSecurityEvent, SecurityEvent, SecurityEventType } from '../security-event.js';

/** Where a page of events starts: after the event with this time and id (newest first). */
export interface EventCursor {
  readonly at: Date;
  readonly id: string;
}

export interface EventQuery {
  readonly userId?: string;
  readonly type?: SecurityEventType;
  /** Events strictly older than this one (in `at`, then `id`, descending). */
  readonly after?: EventCursor;
  readonly limit: number;
}

export interface AuditLog {
  /** Appends an event (its id and time already set). */
  append(event: SecurityEvent): Promise<void>;
  /** Events matching the query, newest first (by `at`, then `id`), at most `limit`. */
  list(query: EventQuery): Promise<SecurityEvent[]>;
  /** Forgets up to `limit` events older than `before`; returns how many. */
  prune(before: Date, limit: number): Promise<number>;
  /** An erased user: its events keep the ids, and lose from `detail` every value equal to one of `values` (its email, its name). */
  scrub(userId: string, values: readonly string[]): Promise<void>;
}

/**
 * What the use cases write through. Never rejects: a write that fails is logged by the adapter
 * (with the event's type and a code) and the request goes on. Awaited, so an event is readable by
 * the time the request that caused it has answered.
 */
export interface SecurityEvents {
  record(event: NewSecurityEvent): Promise<void>;
}
