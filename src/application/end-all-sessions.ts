import type { Principal } from '../domain/principal.js';
import type { Clock } from '../domain/ports/clock.js';
import type { TokenStore } from '../domain/ports/token-store.js';

/** Logout everywhere: every session of the user ends, this one included. */
export class EndAllSessions {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(principal: Principal): Promise<number> {
    return this.store.endAllForUser(principal.userId, this.clock.now());
  }
}
