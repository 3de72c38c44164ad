import type { Clock } from '../../../domain/ports/clock.js';
import type { RefreshPrincipal } from '../../../domain/principal.js';
import type { JwtSettings } from '../../../config/jwt-settings.js';
import { tokenStrategy, verifyOptions } from './jwt.js';
import { extractor, presentedRefreshToken } from './token-extractors.js';

/**
 * `jwt-refresh`: a refresh token from the body field `refreshToken`, `Authorization: Bearer` or the
 * `refresh_token` cookie, whose signature and claims are verified. Whether its family still accepts
 * it (the reuse rule) is the use case's decision, made with the one read of the session it needs.
 */
export const jwtRefreshStrategy = (settings: JwtSettings, clock: Clock) =>
  tokenStrategy(
    verifyOptions(settings, settings.refresh, extractor(presentedRefreshToken)),
    settings.refresh,
    (claims): Promise<RefreshPrincipal> => Promise.resolve({ userId: claims.userId, sessionId: claims.sessionId, tokenId: claims.tokenId }),
    clock,
  );
