import { UserNotFoundError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { RolePolicy } from '../accounts/roles.js';
import { asAdminUser, type AdminUser } from './admin-user.js';

export interface UserDetails {
  readonly user: AdminUser;
  /** Live sessions now. */
  readonly sessions: number;
  readonly identities: readonly { readonly provider: string; readonly login: string | null }[];
}

/** GET /admin/users/:id. */
export class GetUserDetails {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly roles: RolePolicy,
    private readonly clock: Clock,
  ) {}

  async execute(id: string): Promise<UserDetails> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    const live = await this.store.listLive(user.id, this.clock.now());
    return {
      user: asAdminUser(user, this.roles),
      sessions: live.length,
      identities: user.githubLogin === null ? [] : [{ provider: 'github', login: user.githubLogin }],
    };
  }
}
