import { LinkInvalidError } from '../../domain/errors.js';
import { parseNewPassword } from '../../domain/password.js';
import type { PasswordStrength } from '../../domain/password-strength.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { LoginThrottle } from '../../domain/ports/login-throttle.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { PasswordHasher } from '../../domain/ports/password-hasher.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { EmailLinks } from './email-links.js';

export interface ResetPasswordInput {
  readonly token: string;
  readonly newPassword: string;
  readonly clientIp: string;
}

/**
 * POST /auth/password/reset: the link proves the address, so it sets the password (a GitHub-only
 * account gets its first), ends every session, counts the address verified, ends the lockout of
 * the account and of this client's pair, and mails a notice. A new password that is invalid or
 * weak is refused before the link is spent, so the user may try another with the same link.
 */
export class ResetPassword {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly links: EmailLinks,
    private readonly hasher: PasswordHasher,
    private readonly strength: PasswordStrength,
    private readonly logins: LoginThrottle,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: ResetPasswordInput): Promise<void> {
    const newPassword = parseNewPassword(input.newPassword, 'newPassword');
    const record = await this.links.find('reset_password', input.token);
    const user = await this.users.findById(record.userId);
    // A link mailed to an address the account has since left proves nothing about the account.
    if (!user || user.email !== record.email) throw new LinkInvalidError();
    this.strength.assertStrong(newPassword, user.email, 'newPassword');
    const passwordHash = await this.hasher.hash(newPassword);
    await this.links.spend(record);
    await this.users.updatePasswordHash(user.id, passwordHash);
    await this.users.markEmailVerified(user.id, record.email);
    await this.store.endAllForUser(user.id, this.clock.now());
    await this.links.voidAll(user.id, 'reset_password');
    await this.logins.recordSuccess({ email: record.email, clientIp: input.clientIp });
    this.mailer.send({ template: 'password_changed', to: record.email });
    await this.events.record({ type: 'password.reset', userId: user.id, ip: input.clientIp });
  }
}
