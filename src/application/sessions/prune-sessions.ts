import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { SessionPolicy } from '../../domain/session.js';

/** Forgets one batch of sessions no token can use again; a job calls it until a batch comes back short. */
export class PruneSessions {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  execute(batchSize: number): Promise<number> {
    const now = this.clock.now();
    const idleSince = new Date(now.getTime() - this.policy.refreshTokenTtlSeconds * 1000);
    return this.store.prune({ now, idleSince }, batchSize);
  }
}
