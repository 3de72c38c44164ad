import { InvalidTokenError, RefreshTokenReusedError } from '../../domain/errors.js';
import type { RefreshPrincipal } from '../../domain/principal.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenIssuer } from '../../domain/ports/token-issuer.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { Session } from '../../domain/session.js';
import type { AuthenticateRefreshToken } from './authenticate-refresh-token.js';
import type { SessionTokenMinter, SessionTokens } from './session-token-minter.js';

/**
 * Rotates a session's refresh token. However many refreshes of one token run at once, the
 * store's compare-and-set lets exactly one rotate; the others see the token as just replaced
 * and, within the grace window, get that same successor; without grace they are reuse.
 */
export class RefreshSession {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly issuer: TokenIssuer,
    private readonly minter: SessionTokenMinter,
    private readonly clock: Clock,
    private readonly accept: AuthenticateRefreshToken,
    private readonly events: SecurityEvents,
  ) {}

  async execute(principal: RefreshPrincipal): Promise<SessionTokens> {
    const now = this.clock.now();
    const presentedDigest = this.issuer.digest(principal.tokenId);
    const successorId = this.issuer.successorTokenId(principal.tokenId);
    const successorDigest = this.issuer.digest(successorId);

    let { presented, session } = await this.accept.execute(principal, now);
    if (presented === 'current') {
      if (await this.store.rotate(session.id, presentedDigest, successorDigest, now)) {
        return this.mint(principal, { ...session, lastUsedAt: now }, successorId, now, now);
      }
      // Another request rotated this token first: judge it again against the new state.
      ({ presented, session } = await this.accept.execute(principal, now));
    }
    if (presented === 'retry' && session.currentTokenDigest === successorDigest && session.rotatedAt) {
      return this.mint(principal, session, successorId, session.rotatedAt, now);
    }
    // Replaced by a successor other than this token's: not a lost answer, so reuse.
    await this.store.end(session.id, now);
    await this.events.record({ type: 'session.reuse_detected', userId: session.userId, sessionId: session.id, at: now });
    throw new RefreshTokenReusedError();
  }

  private async mint(principal: RefreshPrincipal, session: Session, tokenId: string, issuedAt: Date, now: Date): Promise<SessionTokens> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    if (user.disabled) throw new InvalidTokenError('The account is disabled');
    return this.minter.mint(user, session, tokenId, issuedAt, now);
  }
}
