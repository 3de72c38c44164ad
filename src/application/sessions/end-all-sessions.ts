import type { Principal } from '../../domain/principal.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';

/** Logout everywhere: every session of the user ends, this one included. */
export class EndAllSessions {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
  ) {}

  async execute(principal: Principal): Promise<number> {
    const now = this.clock.now();
    const ended = await this.store.endAllForUser(principal.userId, now);
    await this.events.record({ type: 'sessions.ended_all', userId: principal.userId, sessionId: principal.sessionId ?? null, at: now, detail: { ended } });
    return ended;
  }
}
