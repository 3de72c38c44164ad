import type { TokenIssuer } from '../../domain/ports/token-issuer.js';
import { capToSession, type Session, type SessionPolicy } from '../../domain/session.js';
import type { User } from '../../domain/user.js';
import type { RolePolicy } from '../accounts/roles.js';

export interface SessionTokens {
  readonly user: User;
  readonly sessionId: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  /** Seconds the access token lives, as clients read it from `expiresIn`. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
}

/**
 * Signs the access and refresh tokens of a session. The refresh token's times are those of
 * the rotation that created it (`refreshIssuedAt`), so a retry within the grace window gets
 * the very same token and never a later expiry; the access token is always fresh.
 */
export class SessionTokenMinter {
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly policy: SessionPolicy,
    private readonly roles: RolePolicy,
  ) {}

  async mint(user: User, session: Session, refreshTokenId: string, refreshIssuedAt: Date, now = refreshIssuedAt): Promise<SessionTokens> {
    const accessExpiresAt = capToSession(session, new Date(now.getTime() + this.policy.accessTokenTtlSeconds * 1000));
    const refreshExpiresAt = capToSession(
      session,
      new Date(refreshIssuedAt.getTime() + this.policy.refreshTokenTtlSeconds * 1000),
    );
    const [accessToken, refreshToken] = await Promise.all([
      this.issuer.issueAccessToken({ userId: user.id, sessionId: session.id, issuedAt: now, expiresAt: accessExpiresAt, roles: this.roles.rolesOf(user), ...(session.amr ? { amr: session.amr } : {}) }),
      this.issuer.issueRefreshToken({
        userId: user.id,
        sessionId: session.id,
        tokenId: refreshTokenId,
        issuedAt: refreshIssuedAt,
        expiresAt: refreshExpiresAt,
      }),
    ]);
    return {
      user: this.roles.withCurrentRoles(user),
      sessionId: session.id,
      accessToken,
      accessTokenExpiresAt: accessExpiresAt,
      expiresIn: Math.max(0, Math.floor((accessExpiresAt.getTime() - now.getTime()) / 1000)),
      refreshToken,
      refreshTokenExpiresAt: refreshExpiresAt,
    };
  }
}
