import { parseEmail } from '../../domain/email.js';
import { LastAdminError, RoleFromConfigError, UserNotFoundError } from '../../domain/errors.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import { ADMIN_ROLE, parseRole, parseRoles } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';
import { anotherAdminExists, isEnabledAdmin } from './admin-count.js';

export interface ChangeRoleInput {
  readonly email: string;
  readonly role: string;
  readonly grant: boolean;
}

/**
 * `npm run admin -- grant|revoke <email> <role>`: the bootstrap of the first administrator, and a
 * way back in, with no HTTP. The same rules as the admin API: LAST_ADMIN and ROLE_FROM_CONFIG.
 */
export class ChangeRole {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: RolePolicy,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: ChangeRoleInput): Promise<User> {
    const role = parseRole(input.role);
    const user = await this.users.findByEmail(parseEmail(input.email));
    if (!user) throw new UserNotFoundError();
    const next = input.grant ? parseRoles([...user.roles, role]) : user.roles.filter((r) => r !== role);
    if (!input.grant && role === ADMIN_ROLE) {
      if (this.roles.adminFromConfig(user)) throw new RoleFromConfigError();
      if (isEnabledAdmin(user, this.roles) && !(await anotherAdminExists(this.users, this.roles, user))) throw new LastAdminError();
    }
    const updated = await this.users.update(user.id, { roles: next });
    if (!updated) throw new UserNotFoundError();
    await this.events.record({ type: 'admin.user_updated', userId: user.id, detail: { fields: ['roles'], roles: [...next], via: 'cli' } });
    return this.roles.withCurrentRoles(updated);
  }
}
