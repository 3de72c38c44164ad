import type { AuthenticateRefreshToken } from '../../../application/authenticate-refresh-token.js';
import type { Clock } from '../../../domain/ports/clock.js';
import type { JwtSettings } from '../../crypto/jwt-settings.js';
import { tokenStrategy, verifyOptions } from './jwt.js';
import { extractor, presentedRefreshToken } from './token-extractors.js';

/** `jwt-refresh`: a refresh token from the body field `refreshToken`, `Authorization: Bearer` or the `refresh_token` cookie, checked against the TokenStore. */
export const jwtRefreshStrategy = (settings: JwtSettings, authenticate: AuthenticateRefreshToken, clock: Clock) =>
  tokenStrategy(
    verifyOptions(settings, settings.refresh, extractor(presentedRefreshToken)),
    settings.refresh,
    (claims) => authenticate.execute(claims),
    clock,
  );
