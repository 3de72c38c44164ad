import { InvalidTokenError, RefreshTokenReusedError } from '../../domain/errors.js';
import type { RefreshPrincipal } from '../../domain/principal.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import type { TokenIssuer } from '../../domain/ports/token-issuer.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import { classifyPresentedToken, liveSessionOf, type Session, type SessionPolicy } from '../../domain/session.js';

/** A refresh token its family accepts, with the session as the one read of it found it. */
export interface AcceptedRefreshToken {
  /** `current`: the family's newest token; `retry`: the one just replaced, within the grace. */
  readonly presented: 'current' | 'retry';
  readonly session: Session;
}

/**
 * The refresh-token reuse rule, in one place: a refresh token whose signature and claims the
 * `jwt-refresh` strategy verified is accepted when it is its family's newest, or the one just
 * replaced within the retry grace window. Any other token of the family is reuse (RFC 9700
 * §4.14): the whole family is revoked, so a thief and the victim are both signed out of that
 * session. POST /auth/refresh and POST /auth/logout both ask it, each with one read of the session.
 */
export class AuthenticateRefreshToken {
  constructor(
    private readonly store: TokenStore,
    private readonly issuer: TokenIssuer,
    private readonly policy: SessionPolicy,
    private readonly events: SecurityEvents,
  ) {}

  async execute(principal: RefreshPrincipal, now: Date): Promise<AcceptedRefreshToken> {
    const session = liveSessionOf(await this.store.find(principal.sessionId), principal.userId, now);
    if (!session) throw new InvalidTokenError('The session has ended');
    const presented = classifyPresentedToken(session, this.issuer.digest(principal.tokenId), now, this.policy.reuseGraceSeconds);
    if (presented === 'reuse') {
      await this.store.end(session.id, now);
      await this.events.record({ type: 'session.reuse_detected', userId: session.userId, sessionId: session.id, at: now });
      throw new RefreshTokenReusedError();
    }
    return { presented, session };
  }
}
