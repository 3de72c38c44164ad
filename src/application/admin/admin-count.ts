import type { UserRepository } from '../../domain/ports/user-repository.js';
import { ADMIN_ROLE } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';

/**
 * Whether an enabled administrator other than `target` exists: one holding `admin` in its stored
 * roles, or one ADMIN_EMAILS makes an administrator. LAST_ADMIN protects the last one.
 */
export async function anotherAdminExists(users: UserRepository, roles: RolePolicy, target: User): Promise<boolean> {
  const stored = await users.countEnabledWithRole(ADMIN_ROLE);
  const targetCounted = !target.disabled && target.roles.includes(ADMIN_ROLE) ? 1 : 0;
  if (stored - targetCounted > 0) return true;
  for (const email of roles.configuredAdmins()) {
    const candidate = await users.findByEmail(email);
    if (candidate && candidate.id !== target.id && !candidate.disabled && roles.adminFromConfig(candidate)) return true;
  }
  return false;
}

/** Whether `user` is an enabled administrator now. */
export const isEnabledAdmin = (user: User, roles: RolePolicy): boolean => !user.disabled && roles.holds(user, ADMIN_ROLE);
