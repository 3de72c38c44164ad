import type { Middleware } from 'koa';
import type { KoaPassport } from 'koa-passport';
import {
  DomainError,
  InvalidCredentialsError,
  InvalidTokenError,
  TokenExpiredError,
  TokenMissingError,
} from '../../domain/errors.js';
import type { Principal, RefreshPrincipal, SessionPrincipal } from '../../domain/principal.js';
import { STRATEGY, type StrategyName } from './strategies/names.js';

type Passport = InstanceType<typeof KoaPassport>;

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
export const isPrincipal = (u: unknown): u is Principal => typeof u === 'object' && u !== null && isString((u as Principal).userId);
export const isSessionPrincipal = (u: unknown): u is SessionPrincipal => isPrincipal(u) && isString(u.sessionId);
export const isRefreshPrincipal = (u: unknown): u is RefreshPrincipal =>
  isSessionPrincipal(u) && isString((u as RefreshPrincipal).tokenId);

/** How a strategy's failure `info` becomes a domain error. */
type FailureMapper = (info: unknown) => DomainError;

const isNoToken = (info: unknown) => info instanceof Error && info.message === 'No auth token';
const isExpired = (info: unknown) => info instanceof Error && info.name === 'TokenExpiredError';

const FAILURES: Record<Exclude<StrategyName, 'github'>, FailureMapper> = {
  [STRATEGY.local]: (info) => (info instanceof DomainError ? info : new InvalidCredentialsError()),
  [STRATEGY.jwt]: (info) => {
    if (info instanceof DomainError) return info;
    if (isNoToken(info)) return new TokenMissingError();
    return isExpired(info) ? new TokenExpiredError() : new InvalidTokenError();
  },
  // Every refresh failure means "sign in again": one code, whatever the cause.
  [STRATEGY.jwtRefresh]: (info) =>
    info instanceof DomainError && info.code === 'INVALID_TOKEN' ? info : new InvalidTokenError(isNoToken(info) ? 'No refresh token was presented' : undefined),
};

/**
 * Runs a named strategy with a custom callback (so koa-passport never writes an answer itself),
 * checks the principal's type, and leaves it in `ctx.state.principal`; failures are thrown to
 * the problem+json middleware.
 */
export function authenticate<P extends Principal>(
  passport: Passport,
  name: Exclude<StrategyName, 'github'>,
  isExpected: (u: unknown) => u is P,
): Middleware {
  return async function authenticateWith(ctx, next) {
    let outcome: { err: unknown; user: unknown; info: unknown } | undefined;
    await passport.authenticate(name, { session: false }, (err: unknown, user: unknown, info: unknown) => {
      outcome = { err, user, info };
    })(ctx, () => Promise.resolve());
    if (!outcome) throw new Error(`strategy ${name} did not finish`);
    if (outcome.err) throw outcome.err;
    if (!outcome.user) throw FAILURES[name](outcome.info);
    if (!isExpected(outcome.user)) throw new Error(`strategy ${name} produced an unexpected principal`);
    ctx.state.principal = outcome.user;
    await next();
  };
}

/** The principal an authenticate() middleware left, checked again at the point of use. */
export function principalOf<P extends Principal>(state: { principal?: unknown }, isExpected: (u: unknown) => u is P): P {
  if (!isExpected(state.principal)) throw new Error('route reached without the expected principal');
  return state.principal;
}
