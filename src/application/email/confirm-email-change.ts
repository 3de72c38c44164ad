import { LinkInvalidError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { User } from '../../domain/user.js';
import type { EmailLinks } from './email-links.js';
import type { RolePolicy } from '../accounts/roles.js';

/**
 * POST /auth/email/confirm-change: the link proves the new address, so the account moves to it
 * (verified), every session ends (sign in again with the new address), links to the old address
 * stop working, and the old address is told.
 */
export class ConfirmEmailChange {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly links: EmailLinks,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
    private readonly roles: RolePolicy,
  ) {}

  async execute(token: string): Promise<User> {
    const record = await this.links.find('change_email', token);
    const before = await this.users.findById(record.userId);
    if (!before) throw new LinkInvalidError();
    await this.links.spend(record);
    // EmailAlreadyRegisteredError when another account took the address meanwhile.
    if (!(await this.users.changeEmail(before.id, record.email))) throw new LinkInvalidError();
    await this.store.endAllForUser(before.id, this.clock.now());
    await this.links.voidAll(before.id);
    if (before.email !== null && before.email !== record.email) this.mailer.send({ template: 'email_changed', to: before.email, newEmail: record.email });
    const after = await this.users.findById(before.id);
    if (!after) throw new LinkInvalidError();
    await this.events.record({ type: 'email.changed', userId: before.id });
    return this.roles.withCurrentRoles(after);
  }
}
