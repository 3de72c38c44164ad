import { IdentityNotFoundError, LastSignInMethodError, UserNotFoundError } from '../../domain/errors.js';
import type { IdentityProvider, LinkedIdentity } from '../../domain/identity.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { IdentityRepository } from '../../domain/ports/identity-repository.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';

/** The identities linked to the caller's account (GET /auth/identities). */
export class ListIdentities {
  constructor(private readonly identities: IdentityRepository) {}

  execute(userId: string): Promise<LinkedIdentity[]> {
    return this.identities.listByUser(userId);
  }
}

export interface UnlinkIdentityInput {
  readonly userId: string;
  readonly sessionId: string;
  readonly provider: IdentityProvider;
  readonly clientIp?: string | null;
  readonly userAgent?: string | null;
}

/**
 * Removes the caller's identity at a provider (DELETE /auth/identities/:provider), unless it is
 * the account's last way to sign in: with no password, no passkey and no other identity left,
 * nobody could ever sign in to it again. Checked before the removal, and again after it, for
 * removals that run side by side.
 */
export class UnlinkIdentity {
  constructor(
    private readonly users: UserRepository,
    private readonly identities: IdentityRepository,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: UnlinkIdentityInput): Promise<void> {
    const removed = (await this.identities.listByUser(input.userId)).find((i) => i.provider === input.provider);
    if (!removed) throw new IdentityNotFoundError();
    if (!(await this.keepsAWayIn(input.userId, removed.provider))) throw new LastSignInMethodError();
    if (!(await this.identities.unlink(input.userId, input.provider))) throw new IdentityNotFoundError();
    // Another removal may have run beside this one (two tabs, say), each seeing the other's identity
    // still there: when nothing is left now, this one goes back, so the account never locks its owner out.
    if (!(await this.keepsAWayIn(input.userId, null))) {
      await this.identities.link(removed).catch(() => undefined);
      throw new LastSignInMethodError();
    }
    await this.events.record({
      type: 'identity.unlinked',
      userId: input.userId,
      sessionId: input.sessionId,
      ip: input.clientIp ?? null,
      userAgent: input.userAgent ?? null,
      detail: { provider: input.provider },
    });
  }

  /** Whether the account has a way in besides its identity at `without`: a password, a passkey or another identity. */
  private async keepsAWayIn(userId: string, without: IdentityProvider | null): Promise<boolean> {
    const [user, linked] = await Promise.all([this.users.findById(userId), this.identities.listByUser(userId)]);
    if (!user) throw new UserNotFoundError();
    return user.passwordHash !== null || user.mfa.passkeys > 0 || linked.some((i) => i.provider !== without);
  }
}
