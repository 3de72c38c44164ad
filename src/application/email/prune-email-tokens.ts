import type { Clock } from '../../domain/ports/clock.js';
import type { EmailTokenStore } from '../../domain/ports/email-token-store.js';

/** Forgets one batch of email tokens that can never be spent again (used, voided or expired). */
export class PruneEmailTokens {
  constructor(
    private readonly store: EmailTokenStore,
    private readonly clock: Clock,
  ) {}

  execute(batchSize: number): Promise<number> {
    return this.store.prune(this.clock.now(), batchSize);
  }
}
