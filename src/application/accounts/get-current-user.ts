import { InvalidTokenError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { User } from '../../domain/user.js';
import type { RolePolicy } from './roles.js';

export class GetCurrentUser {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: RolePolicy,
  ) {}

  async execute(principal: Principal): Promise<User> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    return this.roles.withCurrentRoles(user);
  }
}
