import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { UserCursor, UserSearch } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';
import { asAdminUser, type AdminUser } from './admin-user.js';

export interface UserPage {
  readonly users: readonly AdminUser[];
  /** Where the next page starts; null on the last page. */
  readonly next: UserCursor | null;
}

/** GET /admin/users: newest first, a page at a time; the cursor names the last user shown, so inserts never shift a page. */
export class SearchUsers {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: RolePolicy,
  ) {}

  async execute(query: UserSearch): Promise<UserPage> {
    const found = await this.users.search({ ...query, limit: query.limit + 1 });
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    return {
      users: page.map((u) => asAdminUser(u, this.roles)),
      next: found.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }
}
