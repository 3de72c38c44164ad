import { ForbiddenError, InvalidTokenError } from '../../domain/errors.js';
import type { SessionPrincipal } from '../../domain/principal.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';

/**
 * The role guard's decision, after the `jwt` strategy authenticated the caller: the user's roles as
 * they are now (never the token's `roles` claim), so a revoked role stops working on the very next
 * request. A caller the service no longer knows, or a disabled one, is 401; one without the role 403.
 */
export class AuthorizeRole {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: RolePolicy,
  ) {}

  async execute(principal: SessionPrincipal, role: Role): Promise<User> {
    const user = await this.users.findById(principal.userId);
    if (!user || user.disabled) throw new InvalidTokenError('The account is not active');
    if (!this.roles.holds(user, role)) throw new ForbiddenError(role);
    return user;
  }
}
