import { UserNotFoundError } from '../../domain/errors.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';

export interface EndUserSessionsInput {
  readonly actorId: string;
  readonly userId: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/** DELETE /admin/users/:id/sessions: a compromised account's every session ends at once. */
export class EndUserSessions {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  async execute(input: EndUserSessionsInput): Promise<number> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    const ended = await this.store.endAllForUser(user.id, this.clock.now());
    await this.events.record({ type: 'admin.sessions_ended', userId: user.id, actorId: input.actorId, ip: input.ip ?? null, userAgent: input.userAgent ?? null, detail: { ended } });
    return ended;
  }
}
