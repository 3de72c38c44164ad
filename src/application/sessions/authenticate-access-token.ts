import { InvalidTokenError } from '../../domain/errors.js';
import type { SessionPrincipal } from '../../domain/principal.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import { liveSessionOf } from '../../domain/session.js';

/** Claims of an access token whose signature, algorithm, issuer, audience and expiry were verified. */
export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
}

/** Accepts a verified access token only while its session lives: ending a session ends its access tokens at once. */
export class AuthenticateAccessToken {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(claims: AccessClaims): Promise<SessionPrincipal> {
    const session = liveSessionOf(await this.store.find(claims.sessionId), claims.userId, this.clock.now());
    if (!session) throw new InvalidTokenError('The session has ended');
    return { userId: session.userId, sessionId: session.id };
  }
}
