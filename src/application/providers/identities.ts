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
 * nobody could ever sign in to it again.
 */
export class UnlinkIdentity {
  constructor(
    private readonly users: UserRepository,
    private readonly identities: IdentityRepository,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: UnlinkIdentityInput): Promise<void> {
    const [user, linked] = await Promise.all([this.users.findById(input.userId), this.identities.listByUser(input.userId)]);
    if (!user) throw new UserNotFoundError();
    if (!linked.some((i) => i.provider === input.provider)) throw new IdentityNotFoundError();
    const othersLeft = linked.length > 1 || user.passwordHash !== null || user.mfa.passkeys > 0;
    if (!othersLeft) throw new LastSignInMethodError();
    if (!(await this.identities.unlink(input.userId, input.provider))) throw new IdentityNotFoundError();
    await this.events.record({
      type: 'identity.unlinked',
      userId: input.userId,
      sessionId: input.sessionId,
      ip: input.clientIp ?? null,
      userAgent: input.userAgent ?? null,
      detail: { provider: input.provider },
    });
  }
}
