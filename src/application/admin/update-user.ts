import { LastAdminError, RoleFromConfigError, UserNotFoundError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import { ADMIN_ROLE } from '../../domain/role.js';
import type { UserChanges } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';
import { asAdminUser, type AdminUser } from './admin-user.js';
import { anotherAdminExists, isEnabledAdmin } from './admin-count.js';

export interface UpdateUserInput {
  /** The administrator making the change. */
  readonly actorId: string;
  readonly userId: string;
  readonly changes: UserChanges;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

/**
 * PATCH /admin/users/:id. Refused, changing nothing: removing `admin` that ADMIN_EMAILS gives
 * (ROLE_FROM_CONFIG), and leaving no enabled administrator (LAST_ADMIN). Disabling ends every
 * session of the account at once.
 */
export class UpdateUser {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly roles: RolePolicy,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  async execute(input: UpdateUserInput): Promise<AdminUser> {
    const before = await this.users.findById(input.userId);
    if (!before) throw new UserNotFoundError();
    const { changes } = input;
    if (changes.roles && !changes.roles.includes(ADMIN_ROLE) && this.roles.adminFromConfig(before)) throw new RoleFromConfigError();

    const after = { ...before, ...changes };
    if (isEnabledAdmin(before, this.roles) && !isEnabledAdmin(after, this.roles) && !(await anotherAdminExists(this.users, this.roles, before))) {
      throw new LastAdminError();
    }
    const updated = await this.users.update(before.id, changes);
    if (!updated) throw new UserNotFoundError();
    if (changes.disabled === true && !before.disabled) await this.store.endAllForUser(before.id, this.clock.now());
    await this.events.record({
      type: 'admin.user_updated',
      userId: before.id,
      actorId: input.actorId,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      detail: { fields: Object.keys(changes).sort(), ...(changes.disabled === undefined ? {} : { disabled: changes.disabled }), ...(changes.roles ? { roles: [...changes.roles] } : {}) },
    });
    return asAdminUser(updated, this.roles);
  }
}
