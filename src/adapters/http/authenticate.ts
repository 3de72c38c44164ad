import type { KeyObject } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Strategy } from 'passport';
import {
  DomainError,
  InvalidCredentialsError,
  InvalidTokenError,
  TokenExpiredError,
  TokenMissingError,
} from '../../domain/errors.js';
import type { Principal, RefreshPrincipal, SessionPrincipal } from '../../domain/principal.js';
import { assertCsrf } from './csrf.js';
import { STRATEGY, type StrategyName } from './strategies/names.js';
import { presentedAccessToken, presentedRefreshToken, type PresentedToken, type RequestLike, type TokenSource } from './strategies/token-extractors.js';

type LocalOrToken = Exclude<StrategyName, 'github'>;

const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
export const isPrincipal = (u: unknown): u is Principal => typeof u === 'object' && u !== null && isString((u as Principal).userId);
export const isSessionPrincipal = (u: unknown): u is SessionPrincipal => isPrincipal(u) && isString(u.sessionId);
export const isRefreshPrincipal = (u: unknown): u is RefreshPrincipal =>
  isSessionPrincipal(u) && isString((u as RefreshPrincipal).tokenId);

const isNoToken = (info: unknown) => info instanceof Error && info.message === 'No auth token';
const isExpired = (info: unknown) => info instanceof Error && info.name === 'TokenExpiredError';

/** How each strategy's failure `info` becomes a domain error. */
const FAILURES: Record<LocalOrToken, (info: unknown) => DomainError> = {
  [STRATEGY.local]: (info) => (info instanceof DomainError ? info : new InvalidCredentialsError()),
  [STRATEGY.jwt]: (info) => {
    if (info instanceof DomainError) return info;
    if (isNoToken(info)) return new TokenMissingError();
    return isExpired(info) ? new TokenExpiredError() : new InvalidTokenError();
  },
  // Every refresh failure means "sign in again": one code, whatever the cause. (A store that cannot
  // answer never arrives here: strategies report it as an error, a 503; see strategies/verdict.ts.)
  [STRATEGY.jwtRefresh]: (info) =>
    info instanceof DomainError && info.code === 'INVALID_TOKEN'
      ? info
      : new InvalidTokenError(isNoToken(info) ? 'No refresh token was presented' : undefined),
};

/** Where each token strategy finds its token, so the wrapper knows whether a cookie authenticated the request. */
const PRESENTED: Partial<Record<LocalOrToken, (req: RequestLike) => PresentedToken | null>> = {
  [STRATEGY.jwt]: presentedAccessToken,
  [STRATEGY.jwtRefresh]: presentedRefreshToken,
};

const requestOf = (ctx: Context): RequestLike => ({ headers: ctx.headers, body: ctx.request.body, cookies: ctx.cookies });

/** How the request was authenticated, for choosing the answer's mode. */
export const authSourceOf = (state: { authSource?: unknown }): TokenSource | undefined =>
  state.authSource === 'authorization' || state.authSource === 'body' || state.authSource === 'cookie' ? state.authSource : undefined;

interface StrategyOutcome {
  readonly err?: unknown;
  readonly user?: unknown;
  readonly info?: unknown;
}

/** What a strategy may read of the request: a plain object, built once per request. */
const strategyRequest = (ctx: Context) => ({
  headers: ctx.headers,
  body: ctx.request.body,
  cookies: ctx.cookies,
  // Only the local strategy asks (for throttling); resolving it parses X-Forwarded-For.
  get ip() {
    return ctx.ip;
  },
  method: ctx.method,
  url: ctx.url,
  query: ctx.query,
});

/**
 * Runs one registered strategy the way passport's own authenticate middleware does (a fresh
 * object over the strategy, with success/fail/error/pass bound to this request), over a plain
 * request object. koa-passport's generic request mock defines some 30 accessors per request,
 * which measured as the largest single cost of GET /auth/me; these strategies need none of it.
 */
function runStrategy(registered: Strategy, name: LocalOrToken, ctx: Context): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const strategy = Object.create(registered) as {
      success(user: unknown, info?: unknown): void;
      fail(challenge?: unknown, status?: number): void;
      error(err: unknown): void;
      pass(): void;
      redirect(url: string): void;
      authenticate(req: unknown, options: object): void;
    };
    strategy.success = (user, info) => resolve({ user, info });
    strategy.fail = (challenge) => resolve({ user: false, info: challenge });
    strategy.error = (err) => resolve({ err: err ?? new Error(`strategy ${name} failed`) });
    strategy.pass = () => resolve({ user: false });
    strategy.redirect = () => resolve({ err: new Error(`strategy ${name} tried to redirect`) });
    try {
      strategy.authenticate(strategyRequest(ctx), { session: false });
    } catch (err) {
      resolve({ err });
    }
  });
}

/**
 * Authenticates with a strategy (the instance registered under `name`, so koa-passport never
 * writes an answer itself and nothing looks it up in passport's private registry), checks
 * CSRF first when a cookie carries the token, checks the principal's type, and leaves it in
 * `ctx.state.principal`; failures are thrown to the problem+json middleware.
 */
export function authenticate<P extends Principal>(
  strategy: Strategy,
  name: LocalOrToken,
  isExpected: (u: unknown) => u is P,
  csrfKey: KeyObject,
): Middleware {
  const presented = PRESENTED[name];
  return async function authenticateWith(ctx, next) {
    const token = presented?.(requestOf(ctx));
    const source = token?.source;
    if (token?.source === 'cookie') assertCsrf(ctx, csrfKey, token.token);
    const outcome = await runStrategy(strategy, name, ctx);
    if (outcome.err) throw outcome.err;
    if (!outcome.user) throw FAILURES[name](outcome.info);
    if (!isExpected(outcome.user)) throw new Error(`strategy ${name} produced an unexpected principal`);
    ctx.state.principal = outcome.user;
    ctx.state.authSource = source;
    await next();
  };
}

/** The principal an authenticate() middleware left, checked again at the point of use. */
export function principalOf<P extends Principal>(state: { principal?: unknown }, isExpected: (u: unknown) => u is P): P {
  if (!isExpected(state.principal)) throw new Error('route reached without the expected principal');
  return state.principal;
}
