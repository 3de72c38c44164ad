import { LRUCache } from 'lru-cache';
import { Strategy as JwtStrategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import type { AuthenticateAccessToken } from '../../../application/sessions/authenticate-access-token.js';
import { InvalidTokenError } from '../../../domain/errors.js';
import type { Clock } from '../../../domain/ports/clock.js';
import { verificationKey, type JwtKindSettings, type JwtSettings } from '../../../config/jwt-settings.js';
import { sweepStale } from '../../shared/stale-sweeper.js';
import { readClaims, type VerifiedClaims } from './jwt-claims.js';
import { reportVerdict, type Done } from './verdict.js';
import { extractor, presentedAccessToken } from './token-extractors.js';

type Extractor = StrategyOptionsWithoutRequest['jwtFromRequest'];
type KeyDone = (err: unknown, key?: string) => void;

/** The `kid` of a token's JOSE header, read before any verification only to choose a key. */
export function headerKid(token: string): unknown {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? (header as { kid?: unknown }).kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * passport-jwt options from the same settings that sign: algorithm pinned, iss and aud checked.
 * The key comes from the settings too: under ES256 the one whose thumbprint the header's `kid`
 * names (current or earlier); a missing or unknown `kid` is an invalid token, never a fallback.
 */
export const verifyOptions = (settings: JwtSettings, kind: JwtKindSettings, jwtFromRequest: Extractor): StrategyOptionsWithoutRequest => ({
  jwtFromRequest,
  secretOrKeyProvider: (_req: unknown, token: string, done: KeyDone) => {
    const key = verificationKey(kind, kind.algorithm === 'HS256' ? undefined : headerKid(token));
    // jsonwebtoken takes a KeyObject; passport-jwt's types only say string | Buffer.
    if (key) done(null, key as unknown as string);
    else done(new InvalidTokenError());
  },
  algorithms: [kind.algorithm],
  issuer: settings.issuer,
  audience: settings.audience,
  jsonWebTokenOptions: { complete: true },
});

/** The verify callback's only job: hand verified claims to a use case and map its outcome for Passport. */
function settle(authenticate: (claims: VerifiedClaims) => Promise<unknown>, claims: VerifiedClaims | null, done: Done): void {
  if (!claims) return done(null, false, new InvalidTokenError());
  reportVerdict(authenticate(claims), done);
}

/** Whole seconds since the epoch on this clock: the unit of `exp` (RFC 7519 NumericDate). */
const epochSeconds = (clock: Clock): number => Math.floor(clock.now().getTime() / 1000);

/**
 * passport-jwt on the injected Clock. passport-jwt copies its jsonwebtoken options once, when it
 * is built, and jsonwebtoken then judges `exp` and `nbf` by the wall clock unless given
 * `clockTimestamp`; so every verification reads the options anew, with the Clock's time. Tokens
 * are then judged by the same time the use cases judge sessions by, and tests move it by hand.
 */
class ClockedJwtStrategy extends JwtStrategy {
  constructor(options: StrategyOptionsWithoutRequest, verify: unknown, clock: Clock) {
    super(options, verify as never);
    // `_verifOpts` is what passport-jwt 4 hands jsonwebtoken.verify for every token it reads.
    const fixed: unknown = (this as unknown as { _verifOpts?: unknown })._verifOpts;
    if (typeof fixed !== 'object' || fixed === null) throw new Error('passport-jwt keeps no _verifOpts: the Clock cannot reach jsonwebtoken');
    Object.defineProperty(this, '_verifOpts', { get: () => ({ ...fixed, clockTimestamp: epochSeconds(clock) }) });
  }
}

/** A passport-jwt strategy whose verify callback only reads the claims and hands them on (to a use case, or as the principal). */
export const tokenStrategy = (
  options: StrategyOptionsWithoutRequest,
  kind: JwtKindSettings,
  authenticate: (claims: VerifiedClaims) => Promise<unknown>,
  clock: Clock,
) => new ClockedJwtStrategy(options, (decoded: unknown, done: Done) => settle(authenticate, readClaims(decoded, kind), done), clock);

/** How long a verified access token's claims are remembered at most (its own `exp` comes first). */
const REMEMBER_MS = 60_000;

/**
 * passport-jwt for access tokens that remembers, for a bounded time and number, which exact token
 * strings it has already verified. The key is the whole token, signature included, so nothing
 * unverified can ever hit; only what readClaims accepted is remembered (never a token it refuses,
 * nor one with `nbf`, which this service never issues); `exp` is checked again on every hit, on
 * the same Clock and by the same rule as jsonwebtoken (expired from the second `exp` names); and
 * the session is still checked by the use case on every request. A client sending the same token
 * repeatedly (every API call until it expires) then pays the signature, base64 and JSON work once.
 * The verification keys (HS256 secret, ES256 current and earlier public keys) are fixed for the
 * life of the process, so a verdict once reached cannot change before the token's `exp`: after a
 * rotation the process restarts with an empty memory.
 */
class RememberingJwtStrategy extends ClockedJwtStrategy {
  // The TTL only bounds memory (real time); whether a remembered token has expired is the Clock's call.
  private readonly remembered = new LRUCache<string, VerifiedClaims>({ max: 20_000, ttl: REMEMBER_MS });

  constructor(
    options: StrategyOptionsWithoutRequest,
    private readonly kind: JwtKindSettings,
    private readonly extract: (req: unknown) => string | null,
    private readonly onClaims: (claims: VerifiedClaims) => Promise<unknown>,
    private readonly clock: Clock,
  ) {
    super(
      { ...options, passReqToCallback: true } as never,
      (req: unknown, decoded: unknown, done: Done) => {
        const claims = readClaims(decoded, this.kind);
        const token = this.extract(req);
        const hasNotBefore = (decoded as { payload?: { nbf?: unknown } }).payload?.nbf !== undefined;
        if (claims && token && !hasNotBefore) this.remember(token, claims);
        settle(this.onClaims, claims, done);
      },
      clock,
    );
    sweepStale(this.remembered);
  }

  override authenticate(req: Parameters<JwtStrategy['authenticate']>[0], options?: object): void {
    const token = this.extract(req);
    const claims = token === null ? undefined : this.remembered.get(token);
    // Expired on the Clock: verify it afresh, so jsonwebtoken gives the answer (TOKEN_EXPIRED).
    if (!claims || epochSeconds(this.clock) >= claims.expiresAt) return super.authenticate(req, options);
    settle(this.onClaims, claims, (err, user, info) => (err ? this.error(err as Error) : user ? this.success(user) : this.fail(info, 401)));
  }

  private remember(token: string, claims: VerifiedClaims): void {
    const ttl = Math.min(REMEMBER_MS, claims.expiresAt * 1000 - this.clock.now().getTime());
    if (ttl > 0) this.remembered.set(token, claims, { ttl });
  }
}

/** `jwt`: an access token from `Authorization: Bearer` or the `access_token` cookie, accepted while its session lives. */
export const jwtStrategy = (settings: JwtSettings, authenticate: AuthenticateAccessToken, clock: Clock) => {
  const extract = extractor(presentedAccessToken);
  return new RememberingJwtStrategy(verifyOptions(settings, settings.access, extract), settings.access, extract, (claims) => authenticate.execute(claims), clock);
};
