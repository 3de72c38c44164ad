import type { AuditLog } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';

/** Forgets one batch of security events older than AUDIT_RETENTION_DAYS. */
export class PruneSecurityEvents {
  constructor(
    private readonly log: AuditLog,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {}

  execute(batchSize: number): Promise<number> {
    return this.log.prune(new Date(this.clock.now().getTime() - this.retentionDays * 86_400_000), batchSize);
  }
}
