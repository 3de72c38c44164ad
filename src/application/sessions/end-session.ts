import { InvalidTokenError, SessionNotFoundError } from '../../domain/errors.js';
import type { RefreshPrincipal, SessionPrincipal } from '../../domain/principal.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { SecurityEvents } from '../../domain/ports/audit-log.js';
import { liveSessionOf } from '../../domain/session.js';
import type { AuthenticateRefreshToken } from './authenticate-refresh-token.js';

/** A session named by its id (DELETE /auth/sessions/:id). */
export interface EndSessionInput {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * Ends one of the user's live sessions: its refresh token and its access tokens fail at once.
 * A session that is not one of the user's live sessions (none by that id, another user's, or one
 * already ended or expired) is SESSION_NOT_FOUND and nothing changes (docs/http-api.md, DELETE
 * /auth/sessions/:id). POST /auth/logout names its session by the refresh token it presented
 * (a RefreshPrincipal), judged by the reuse rule first (a token replaced within the retry grace is
 * accepted, an older one revokes the family); should a concurrent request end the session first,
 * its token has stopped working, and the answer is what any ended session's token gets: INVALID_TOKEN.
 */
export class EndSession {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    private readonly refreshTokens: AuthenticateRefreshToken,
    private readonly events: SecurityEvents,
  ) {}

  async execute(input: EndSessionInput | SessionPrincipal | RefreshPrincipal): Promise<void> {
    const now = this.clock.now();
    const session =
      'tokenId' in input
        ? (await this.refreshTokens.execute(input, now)).session
        : liveSessionOf(await this.store.find(input.sessionId), input.userId, now);
    // `end` is false when another request ended it between the read and here: not live either.
    if (!session || !(await this.store.end(session.id, now))) {
      throw 'tokenId' in input ? new InvalidTokenError('The session has ended') : new SessionNotFoundError();
    }
    await this.events.record({ type: 'session.ended', userId: session.userId, sessionId: session.id, at: now, detail: { by: 'tokenId' in input ? 'logout' : 'session_list' } });
  }
}
