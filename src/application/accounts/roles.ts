import type { Email } from '../../domain/email.js';
import { ADMIN_ROLE, type Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';

/**
 * The roles a user holds now: the stored ones, plus `admin` while the account's verified email is
 * in ADMIN_EMAILS (a bootstrap the configuration owns: only removing the address takes it away).
 */
export class RolePolicy {
  private readonly adminEmails: ReadonlySet<Email>;

  constructor(adminEmails: Iterable<Email>) {
    this.adminEmails = new Set(adminEmails);
  }

  /** Whether ADMIN_EMAILS gives this account `admin`. */
  adminFromConfig(user: User): boolean {
    return user.emailVerified && user.email !== null && this.adminEmails.has(user.email);
  }

  rolesOf(user: User): readonly Role[] {
    if (!this.adminFromConfig(user) || user.roles.includes(ADMIN_ROLE)) return user.roles;
    return [...user.roles, ADMIN_ROLE].sort() as Role[];
  }

  /** The user as it leaves the application: with the roles it holds now. */
  withCurrentRoles(user: User): User {
    return { ...user, roles: this.rolesOf(user) };
  }

  holds(user: User, role: Role): boolean {
    return this.rolesOf(user).includes(role);
  }

  /** The configured addresses (for counting the admins that the stored roles do not show). */
  configuredAdmins(): readonly Email[] {
    return [...this.adminEmails];
  }
}
