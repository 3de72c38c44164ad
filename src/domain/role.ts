import { ValidationFailedError } from './errors.js';

/**
 * A role name (docs/http-api.md "Roles"): `[a-z][a-z0-9_-]{0,31}`. `admin` is the service's own;
 * any other means what the deployer's services decide. Only parseRoles makes one.
 */
export type Role = string & { readonly __brand: 'Role' };

export const ADMIN_ROLE = 'admin' as Role;
export const ROLES_MAX = 20;
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export const isRoleName = (name: string): name is Role => ROLE_NAME.test(name);

/** Why a role list (as sent) is refused, or null. */
export function rolesProblem(roles: readonly string[]): string | null {
  const bad = roles.find((r) => !isRoleName(r));
  if (bad !== undefined) return 'each role must be 1 to 32 of a-z, 0-9, _ and -, starting with a letter';
  if (new Set(roles).size > ROLES_MAX) return `must hold at most ${ROLES_MAX} roles`;
  return null;
}

/** The roles, each once, in a stable order; throws ValidationFailedError naming `field` when refused. */
export function parseRoles(roles: readonly string[], field = 'roles'): readonly Role[] {
  const problem = rolesProblem(roles);
  if (problem) throw new ValidationFailedError([{ field, message: problem }]);
  return [...new Set(roles)].sort() as Role[];
}

/** One role name, or ValidationFailedError. */
export function parseRole(role: string, field = 'role'): Role {
  if (!isRoleName(role)) throw new ValidationFailedError([{ field, message: 'must be 1 to 32 of a-z, 0-9, _ and -, starting with a letter' }]);
  return role;
}
