import { InvalidTokenError, RefreshTokenReusedError } from '../domain/errors.js';
import type { RefreshPrincipal } from '../domain/principal.js';
import type { Clock } from '../domain/ports/clock.js';
import type { TokenIssuer } from '../domain/ports/token-issuer.js';
import type { TokenStore } from '../domain/ports/token-store.js';
import { classifyPresentedToken, liveSessionOf, type SessionPolicy } from '../domain/session.js';

/** Claims of a refresh token whose signature, algorithm, issuer, audience and expiry were verified. */
export interface RefreshClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
}

/**
 * Accepts a refresh token that is its family's newest, or the one just replaced within the
 * retry grace window. Any other token of the family is reuse (RFC 9700 §4.14): the whole
 * family is revoked, so a thief and the victim are both signed out of that session.
 */
export class AuthenticateRefreshToken {
  constructor(
    private readonly store: TokenStore,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  async execute(claims: RefreshClaims): Promise<RefreshPrincipal> {
    const now = this.clock.now();
    const session = liveSessionOf(await this.store.find(claims.sessionId), claims.userId, now);
    if (!session) throw new InvalidTokenError('The session has ended');
    const presented = classifyPresentedToken(session, this.issuer.digest(claims.tokenId), now, this.policy.reuseGraceSeconds);
    if (presented === 'reuse') {
      await this.store.end(session.id, now);
      throw new RefreshTokenReusedError();
    }
    return { userId: session.userId, sessionId: session.id, tokenId: claims.tokenId };
  }
}
