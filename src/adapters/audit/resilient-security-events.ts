import type { Logger } from 'pino';
import type { AuditLog, SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { IdGenerator } from '../../domain/ports/id-generator.js';
import type { NewSecurityEvent, SecurityEvent, SecurityEventType } from '../../domain/security-event.js';

/** What the events table holds; a longer user agent is cut rather than the event lost. */
export const USER_AGENT_MAX = 255;

/** The stable code of the log line a lost event leaves. */
export const AUDIT_WRITE_FAILED = 'AUDIT_WRITE_FAILED';

/** The driver's or domain's code of a failure, never its message: knex puts the statement, with the bound values (detail, ip, user agent), in the message. */
const codeOf = (err: unknown): string => {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'unknown';
};

/**
 * SecurityEvents over any AuditLog: completes the event (id, time, nulls, `{}`), awaits the write,
 * and never rejects. A failed write is one log line with AUDIT_WRITE_FAILED and the event's type,
 * never its detail, ip or user agent (they may be personal data); the request goes on.
 */
export class ResilientSecurityEvents implements SecurityEvents {
  constructor(
    private readonly log: AuditLog,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Told of every event recorded (for the events-by-type metric). */
    private readonly recorded: (type: SecurityEventType) => void = () => undefined,
  ) {}

  async record(event: NewSecurityEvent): Promise<void> {
    try {
      await this.log.append(this.complete(event));
      this.recorded(event.type);
    } catch (err) {
      this.logger.error({ code: AUDIT_WRITE_FAILED, eventType: event.type, cause: codeOf(err) }, 'security event not recorded');
    }
  }

  private complete(event: NewSecurityEvent): SecurityEvent {
    const userAgent = event.userAgent ?? null;
    return {
      id: this.ids.newId(),
      at: event.at ? new Date(event.at) : this.clock.now(),
      type: event.type,
      userId: event.userId ?? null,
      actorId: event.actorId ?? null,
      sessionId: event.sessionId ?? null,
      ip: event.ip ?? null,
      userAgent: userAgent === null ? null : userAgent.slice(0, USER_AGENT_MAX),
      detail: event.detail ?? {},
    };
  }
}
