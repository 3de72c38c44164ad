import { LinkInvalidError } from '../../domain/errors.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { User } from '../../domain/user.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { EmailLinks } from './email-links.js';
import type { RolePolicy } from '../accounts/roles.js';

/** POST /auth/email/verify: spends a verification link; the address it was mailed to is proven, if the account still has it. */
export class VerifyEmail {
  constructor(
    private readonly users: UserRepository,
    private readonly links: EmailLinks,
    private readonly events: SecurityEvents,
    private readonly roles: RolePolicy,
  ) {}

  async execute(token: string): Promise<User> {
    const record = await this.links.find('verify_email', token);
    await this.links.spend(record);
    if (!(await this.users.markEmailVerified(record.userId, record.email))) throw new LinkInvalidError();
    const user = await this.users.findById(record.userId);
    if (!user) throw new LinkInvalidError();
    await this.events.record({ type: 'email.verified', userId: user.id });
    return this.roles.withCurrentRoles(user);
  }
}
