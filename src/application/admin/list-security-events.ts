import type { AuditLog, EventCursor, EventQuery } from '../../domain/ports/audit-log.js';
import type { SecurityEvent } from '../../domain/security-event.js';

export interface EventPage {
  readonly events: readonly SecurityEvent[];
  readonly next: EventCursor | null;
}

/** GET /admin/events (any user's, filtered) and GET /auth/events (the caller's last 50). */
export class ListSecurityEvents {
  constructor(private readonly log: AuditLog) {}

  async execute(query: EventQuery): Promise<EventPage> {
    const found = await this.log.list({ ...query, limit: query.limit + 1 });
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    return { events: page, next: found.length > query.limit && last ? { at: last.at, id: last.id } : null };
  }
}
