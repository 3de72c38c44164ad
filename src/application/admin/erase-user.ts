import { LastAdminError, UserNotFoundError } from '../../domain/errors.js';
import type { AuditLog, SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { RolePolicy } from '../accounts/roles.js';
import { anotherAdminExists, isEnabledAdmin } from './admin-count.js';

export interface EraseUserInput {
  readonly actorId: string;
  readonly userId: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/**
 * DELETE /admin/users/:id: a real delete. The account goes with its sessions (in the database or
 * in Redis), identities and email tokens; its security events stay, keeping only ids: the email
 * and the name are scrubbed from their details.
 */
export class EraseUser {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly log: AuditLog,
    private readonly roles: RolePolicy,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  async execute(input: EraseUserInput): Promise<void> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    if (isEnabledAdmin(user, this.roles) && !(await anotherAdminExists(this.users, this.roles, user))) throw new LastAdminError();
    await this.store.endAllForUser(user.id, this.clock.now());
    await this.users.delete(user.id);
    await this.log.scrub(user.id, [user.email, user.name].filter((v): v is NonNullable<typeof v> => v !== null));
    await this.events.record({ type: 'admin.user_deleted', userId: user.id, actorId: input.actorId, ip: input.ip ?? null, userAgent: input.userAgent ?? null });
  }
}
