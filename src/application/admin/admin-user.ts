import type { Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';

/** A user as an administrator sees it: its current roles (ADMIN_EMAILS included). */
export interface AdminUser extends User {
  readonly roles: readonly Role[];
}

export const asAdminUser = (user: User, roles: RolePolicy): AdminUser => ({ ...user, roles: roles.rolesOf(user) });
