import type { AuthenticateRefreshToken } from '../../../application/authenticate-refresh-token.js';
import type { JwtSettings } from '../../crypto/jwt-settings.js';
import { tokenStrategy, verifyOptions } from './jwt.js';
import { bearerToken, bodyRefreshToken, firstOf } from './token-extractors.js';

/** `jwt-refresh`: a refresh token from the body field `refreshToken` or `Authorization: Bearer`, checked against the TokenStore. */
export const jwtRefreshStrategy = (settings: JwtSettings, authenticate: AuthenticateRefreshToken) =>
  tokenStrategy(
    verifyOptions(settings, settings.refresh, firstOf(bodyRefreshToken, bearerToken)),
    settings.refresh,
    (claims) => authenticate.execute(claims),
  );
