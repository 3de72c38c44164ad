import { AMR, type AuthMethod } from '../../domain/mfa.js';
import { InvalidTokenError } from '../../domain/errors.js';
import { parseNewPassword } from '../../domain/password.js';
import type { PasswordStrength } from '../../domain/password-strength.js';
import type { SessionPrincipal } from '../../domain/principal.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { PasswordHasher } from '../../domain/ports/password-hasher.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { EmailLinks } from '../email/email-links.js';
import type { IssueSession } from '../sessions/issue-session.js';
import type { SessionTokens } from '../sessions/session-token-minter.js';
import type { ThrottledPasswordCheck } from './throttled-password-check.js';

export interface ChangePasswordInput {
  readonly principal: SessionPrincipal;
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly clientIp: string;
  readonly userAgent?: string | null;
}

/**
 * Changes the password after checking the current one (a wrong one counts as a failed login),
 * ends every session of the user, and starts a new one for this client. A new password that is
 * invalid (400 VALIDATION_FAILED) or weak (400 PASSWORD_TOO_WEAK) is refused first, before any
 * bcrypt work or throttle count: such a request changes nothing. The account's address is told,
 * and reset links mailed before stop working.
 */
export class ChangePassword {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly passwords: ThrottledPasswordCheck,
    private readonly hasher: PasswordHasher,
    private readonly issueSession: IssueSession,
    private readonly clock: Clock,
    private readonly strength: PasswordStrength,
    private readonly links: EmailLinks,
    private readonly mailer: Mailer,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: ChangePasswordInput): Promise<SessionTokens> {
    const newPassword = parseNewPassword(input.newPassword, 'newPassword');
    const user = await this.users.findById(input.principal.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    this.strength.assertStrong(newPassword, user.email, 'newPassword');

    await this.passwords.confirmCurrent(user, input.currentPassword, input.clientIp);
    // The new session keeps what this one proved (a second factor included), and the password just given.
    const current = await this.store.find(input.principal.sessionId);
    const amr = [...new Set([...(current?.amr ?? []), AMR.password])] as AuthMethod[];
    await this.users.updatePasswordHash(user.id, await this.hasher.hash(newPassword));
    await this.store.endAllForUser(user.id, this.clock.now());
    await this.links.voidAll(user.id, 'reset_password');
    const tokens = await this.issueSession.execute({ userId: user.id, userAgent: input.userAgent ?? null, amr });
    if (user.email !== null) this.mailer.send({ template: 'password_changed', to: user.email });
    await this.events.record({ type: 'password.changed', userId: user.id, sessionId: tokens.sessionId, ip: input.clientIp, userAgent: input.userAgent ?? null });
    return tokens;
  }
}
