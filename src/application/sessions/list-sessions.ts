import type { SessionPrincipal } from '../../domain/principal.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';

export interface SessionSummary {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly userAgent: string | null;
  /** True for the session the caller is using. */
  readonly current: boolean;
}

/** The caller's live sessions, newest first; nothing about tokens leaves this use case. */
export class ListSessions {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(principal: SessionPrincipal): Promise<SessionSummary[]> {
    const sessions = await this.store.listLive(principal.userId, this.clock.now());
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      userAgent: s.userAgent,
      current: s.id === principal.sessionId,
    }));
  }
}
