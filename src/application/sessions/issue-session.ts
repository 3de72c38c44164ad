import { AccountDisabledError, InvalidTokenError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { IdGenerator } from '../../domain/ports/id-generator.js';
import type { TokenIssuer } from '../../domain/ports/token-issuer.js';
import type { TokenStore } from '../../domain/ports/token-store.js';
import type { UserRepository } from '../../domain/ports/user-repository.js';
import type { AuthMethod } from '../../domain/mfa.js';
import type { Session, SessionPolicy } from '../../domain/session.js';
import { type SessionTokenMinter, type SessionTokens } from './session-token-minter.js';

export interface IssueSessionInput {
  readonly userId: string;
  readonly userAgent?: string | null;
  /**
   * RFC 8176 methods of this sign-in (`pwd`, `otp`, `hwk`, `fed`): kept with the session, so every
   * access token of it carries them, refreshed ones included.
   */
  readonly amr: readonly AuthMethod[];
}

/**
 * Starts a new sign-in session (a new refresh-token family) for an authenticated user. Past
 * SESSIONS_PER_USER_MAX live sessions, the user's least recently used ones end (docs/http-api.md, Limits).
 */
export class IssueSession {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly issuer: TokenIssuer,
    private readonly minter: SessionTokenMinter,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
    private readonly sessionsPerUserMax: number,
  ) {}

  async execute(input: IssueSessionInput): Promise<SessionTokens> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new InvalidTokenError('The account no longer exists');
    // Every sign-in method ends here: a disabled account gets no session, whatever proved it.
    if (user.disabled) throw new AccountDisabledError();
    const now = this.clock.now();
    const tokenId = this.issuer.newTokenId();
    const session: Session = {
      id: this.ids.newId(),
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.policy.sessionMaxAgeSeconds * 1000),
      // Cut by code points: a UTF-16 cut could leave half a character behind.
      userAgent: input.userAgent ? [...input.userAgent].slice(0, 255).join('') : null,
      currentTokenDigest: this.issuer.digest(tokenId),
      previousTokenDigest: null,
      rotatedAt: null,
      endedAt: null,
      amr: [...input.amr],
    };
    await this.store.create(session, this.sessionsPerUserMax);
    await this.users.recordSignIn(user.id, now);
    return this.minter.mint({ ...user, lastSignInAt: now }, session, tokenId, now, now);
  }
}
