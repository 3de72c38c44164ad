import { Strategy as JwtStrategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import type { AuthenticateAccessToken } from '../../../application/authenticate-access-token.js';
import { DomainError, InvalidTokenError } from '../../../domain/errors.js';
import type { JwtKindSettings, JwtSettings } from '../../crypto/jwt-settings.js';
import { readClaims, type VerifiedClaims } from './jwt-claims.js';
import { extractor, presentedAccessToken } from './token-extractors.js';

type Extractor = StrategyOptionsWithoutRequest['jwtFromRequest'];

/** passport-jwt options from the same settings that sign: algorithm pinned, iss and aud checked. */
export const verifyOptions = (settings: JwtSettings, kind: JwtKindSettings, jwtFromRequest: Extractor): StrategyOptionsWithoutRequest => ({
  jwtFromRequest,
  // jsonwebtoken takes a KeyObject; passport-jwt's types only say string | Buffer.
  secretOrKey: kind.key as unknown as string,
  algorithms: [kind.algorithm],
  issuer: settings.issuer,
  audience: settings.audience,
  jsonWebTokenOptions: { complete: true },
});

/** A passport-jwt strategy whose verify callback only reads the claims and hands them to a use case. */
export const tokenStrategy = <P>(
  options: StrategyOptionsWithoutRequest,
  kind: JwtKindSettings,
  authenticate: (claims: VerifiedClaims) => Promise<P>,
) =>
  new JwtStrategy(options, (decoded: unknown, done: (err: unknown, user?: unknown, info?: unknown) => void) => {
    const claims = readClaims(decoded, kind);
    if (!claims) return done(null, false, new InvalidTokenError());
    authenticate(claims).then(
      (principal) => done(null, principal),
      (err: unknown) => (err instanceof DomainError ? done(null, false, err) : done(err)),
    );
  });

/** `jwt`: an access token from `Authorization: Bearer` or the `access_token` cookie, accepted while its session lives. */
export const jwtStrategy = (settings: JwtSettings, authenticate: AuthenticateAccessToken) =>
  tokenStrategy(verifyOptions(settings, settings.access, extractor(presentedAccessToken)), settings.access, (claims) => authenticate.execute(claims));
