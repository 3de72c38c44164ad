import { createHash, createHmac, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessTokenClaims, AccessTokenInput, RefreshTokenInput, TokenIssuer } from '../../domain/ports/token-issuer.js';
import type { JwtKindSettings, JwtSettings } from '../../config/jwt-settings.js';

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

export class JwtTokenIssuer implements TokenIssuer {
  constructor(private readonly settings: JwtSettings) {}

  issueAccessToken(input: AccessTokenClaims): Promise<string> {
    return this.sign(this.settings.access, input, randomBytes(16).toString('base64url'), { roles: [...input.roles], ...(input.amr ? { amr: [...input.amr] } : {}) });
  }

  issueRefreshToken(input: RefreshTokenInput): Promise<string> {
    return this.sign(this.settings.refresh, input, input.tokenId);
  }

  newTokenId(): string {
    return randomBytes(32).toString('base64url');
  }

  successorTokenId(tokenId: string): string {
    return createHmac('sha256', this.settings.refresh.key).update(`successor:${tokenId}`).digest('base64url');
  }

  digest(tokenId: string): string {
    return createHash('sha256').update(tokenId).digest('base64url');
  }

  private sign(kind: JwtKindSettings, input: AccessTokenInput, jti: string, extra: Record<string, unknown> = {}): Promise<string> {
    const payload = { sid: input.sessionId, jti, iat: seconds(input.issuedAt), exp: seconds(input.expiresAt), ...extra };
    return Promise.resolve(
      jwt.sign(payload, kind.key, {
        algorithm: kind.algorithm,
        // Under ES256 the `kid` lets verifiers (here and elsewhere, via the JWK Set) pick the key across rotations.
        header: kind.keyId === null ? { alg: kind.algorithm, typ: kind.type } : { alg: kind.algorithm, typ: kind.type, kid: kind.keyId },
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        subject: input.userId,
      }),
    );
  }
}
