import { SessionNotFoundError } from '../domain/errors.js';
import type { SessionPrincipal } from '../domain/principal.js';
import type { Clock } from '../domain/ports/clock.js';
import type { TokenStore } from '../domain/ports/token-store.js';

export interface EndSessionInput {
  readonly userId: string;
  readonly sessionId: string;
}

/** Ends one of the user's sessions: its refresh token and its access tokens fail at once. */
export class EndSession {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(input: EndSessionInput | SessionPrincipal): Promise<void> {
    const session = await this.store.find(input.sessionId);
    if (!session || session.userId !== input.userId) throw new SessionNotFoundError();
    await this.store.end(session.id, this.clock.now());
  }
}
