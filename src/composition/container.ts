import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { container as root, instancePerContainerCachingFactory as cached, type DependencyContainer } from 'tsyringe';
import { AuthenticateAccessToken } from '../application/authenticate-access-token.js';
import { AuthenticateWithGithub } from '../application/authenticate-with-github.js';
import { AuthenticateRefreshToken } from '../application/authenticate-refresh-token.js';
import { AuthenticateWithPassword } from '../application/authenticate-with-password.js';
import { ChangePassword } from '../application/change-password.js';
import { EndAllSessions } from '../application/end-all-sessions.js';
import { EndSession } from '../application/end-session.js';
import { GetCurrentUser } from '../application/get-current-user.js';
import { IssueSession } from '../application/issue-session.js';
import { ListSessions } from '../application/list-sessions.js';
import { RefreshSession } from '../application/refresh-session.js';
import { PruneSessions } from '../application/prune-sessions.js';
import { RegisterUser } from '../application/register-user.js';
import { SessionTokenMinter } from '../application/session-token-minter.js';
import { SignUp } from '../application/sign-up.js';
import { ThrottledPasswordCheck } from '../application/throttled-password-check.js';
import type { Config } from '../config/env.js';
import { PasswordStrength } from '../domain/password-strength.js';
import type { Clock } from '../domain/ports/clock.js';
import type { CommonPasswordList } from '../domain/ports/common-password-list.js';
import type { IdGenerator } from '../domain/ports/id-generator.js';
import type { IdentityRepository } from '../domain/ports/identity-repository.js';
import type { LoginThrottle } from '../domain/ports/login-throttle.js';
import type { PasswordHasher } from '../domain/ports/password-hasher.js';
import type { RegistrationThrottle } from '../domain/ports/registration-throttle.js';
import type { TokenIssuer } from '../domain/ports/token-issuer.js';
import type { TokenStore } from '../domain/ports/token-store.js';
import type { UserRepository } from '../domain/ports/user-repository.js';
import type { SessionPolicy } from '../domain/session.js';
import { BcryptPasswordHasher } from '../adapters/crypto/bcrypt-password-hasher.js';
import { JwtTokenIssuer } from '../adapters/crypto/jwt-token-issuer.js';
import { ZxcvbnCommonPasswordList } from '../adapters/passwords/zxcvbn-common-password-list.js';
import { jwtSettings, type JwtSettings } from '../config/jwt-settings.js';
import { createApp } from '../adapters/http/app.js';
import { metricsExposure } from '../adapters/http/routes/metrics-routes.js';
import { createDatabase, isDatabaseReady } from '../adapters/persistence/knex/database.js';
import { CachingIdentityRepository, CachingUserRepository, UserCache } from '../adapters/persistence/cache/caching-accounts.js';
import { CachingTokenStore } from '../adapters/persistence/cache/caching-token-store.js';
import { KnexIdentityRepository } from '../adapters/persistence/knex/knex-identity-repository.js';
import { KnexTokenStore } from '../adapters/persistence/knex/knex-token-store.js';
import { KnexUserRepository } from '../adapters/persistence/knex/knex-user-repository.js';
import { connectRedis, isRedisReady } from '../adapters/persistence/redis/redis-client.js';
import { RedisTokenStore } from '../adapters/persistence/redis/redis-token-store.js';
import { RandomIdGenerator } from '../adapters/system/random-id-generator.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { memoryLimiters, redisLimiters, registrationLimiter } from '../adapters/throttle/limiters.js';
import { RateLimiterLoginThrottle } from '../adapters/throttle/rate-limiter-login-throttle.js';
import { RateLimiterRegistrationThrottle } from '../adapters/throttle/rate-limiter-registration-throttle.js';
import type { Redis } from 'ioredis';
import { TOKENS } from './tokens.js';

export type Readiness = () => Promise<boolean>;

/** Process state the composition root shares with main: a draining instance reports not ready. */
export interface Lifecycle {
  draining: boolean;
}

/**
 * The whole object graph in one place. Every registration caches per container, so a test's
 * child container that overrides a port (in-memory stores, a fixed clock) gets use cases built
 * on its overrides.
 */
export function buildContainer(config: Config, logger: Logger): DependencyContainer {
  const c = root.createChildContainer();
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Logger, { useValue: logger });

  c.register(TOKENS.Database, { useFactory: cached(() => createDatabase(config.databaseUrl, logger)) });
  // Reads on the hot path (the session check and the user of every authenticated request) may be
  // served from memory for CACHE_TTL_MS; writes through this instance invalidate at once.
  const cacheOptions = { max: 50_000, ttlMs: config.cacheTtlMs };
  const caching = config.cacheTtlMs > 0;
  c.register(TOKENS.UserCache, { useFactory: cached(() => new UserCache(cacheOptions)) });
  c.register(TOKENS.UserRepository, {
    useFactory: cached((x) => {
      const repository = new KnexUserRepository(x.resolve<Knex>(TOKENS.Database));
      return caching ? new CachingUserRepository(repository, x.resolve<UserCache>(TOKENS.UserCache)) : repository;
    }),
  });
  c.register(TOKENS.IdentityRepository, {
    useFactory: cached((x) => {
      const repository = new KnexIdentityRepository(x.resolve<Knex>(TOKENS.Database));
      return caching ? new CachingIdentityRepository(repository, x.resolve<UserCache>(TOKENS.UserCache)) : repository;
    }),
  });
  c.register(TOKENS.TokenStore, {
    useFactory: cached((x) => {
      // With REDIS_URL the sessions (refresh-token state) live in Redis, shared by every instance.
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      const store: TokenStore = redis
        ? new RedisTokenStore(redis, { prefix: config.redisKeyPrefix, idleTtlSeconds: config.session.refreshTokenTtlSeconds })
        : new KnexTokenStore(x.resolve<Knex>(TOKENS.Database));
      return caching ? new CachingTokenStore(store, cacheOptions) : store;
    }),
  });
  c.register(TOKENS.Lifecycle, { useValue: { draining: false } satisfies Lifecycle });
  c.register(TOKENS.Readiness, {
    useFactory: cached((x): Readiness => {
      const db = x.resolve<Knex>(TOKENS.Database);
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      const lifecycle = x.resolve<Lifecycle>(TOKENS.Lifecycle);
      return async () => !lifecycle.draining && (await isDatabaseReady(db)) && (redis === null || (await isRedisReady(redis)));
    }),
  });
  // Redis only when REDIS_URL is set; then the sessions and the rate limits live there.
  c.register(TOKENS.Redis, {
    useFactory: cached(() => (config.redisUrl ? connectRedis(config.redisUrl, logger) : null)),
  });
  c.register(TOKENS.LoginThrottle, {
    useFactory: cached((x) => {
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      const clock = x.resolve<Clock>(TOKENS.Clock);
      const limiters = redis ? redisLimiters(redis, config.throttle, config.redisKeyPrefix, clock) : memoryLimiters(config.throttle, clock);
      return new RateLimiterLoginThrottle(limiters, x.resolve<JwtSettings>(TOKENS.JwtSettings).counterKey);
    }),
  });
  c.register(TOKENS.RegistrationThrottle, {
    useFactory: cached((x) => {
      const limiter = registrationLimiter(config.throttle.registerPerIpPerHour, x.resolve<Redis | null>(TOKENS.Redis), config.redisKeyPrefix);
      return new RateLimiterRegistrationThrottle(limiter, x.resolve<JwtSettings>(TOKENS.JwtSettings).counterKey);
    }),
  });
  c.register(TOKENS.PasswordHasher, { useFactory: cached(() => new BcryptPasswordHasher(config.bcryptCost)) });
  c.register(TOKENS.CommonPasswordList, { useFactory: cached(() => new ZxcvbnCommonPasswordList()) });
  c.register(PasswordStrength, { useFactory: cached((x) => new PasswordStrength(x.resolve<CommonPasswordList>(TOKENS.CommonPasswordList), config.appName)) });
  c.register(TOKENS.JwtSettings, {
    useFactory: cached(() =>
      jwtSettings({
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        algorithm: config.jwt.algorithm,
        accessSecret: config.jwt.accessSecret,
        refreshSecret: config.jwt.refreshSecret,
        accessKeys: config.jwt.accessKeys,
      }),
    ),
  });
  c.register(TOKENS.TokenIssuer, { useFactory: cached((x) => new JwtTokenIssuer(x.resolve<JwtSettings>(TOKENS.JwtSettings))) });
  c.register(TOKENS.SessionPolicy, { useValue: config.session });
  c.register(TOKENS.Clock, { useFactory: cached(() => new SystemClock()) });
  c.register(TOKENS.IdGenerator, { useFactory: cached(() => new RandomIdGenerator()) });

  const users = (x: DependencyContainer) => x.resolve<UserRepository>(TOKENS.UserRepository);
  const store = (x: DependencyContainer) => x.resolve<TokenStore>(TOKENS.TokenStore);
  const hasher = (x: DependencyContainer) => x.resolve<PasswordHasher>(TOKENS.PasswordHasher);
  const issuer = (x: DependencyContainer) => x.resolve<TokenIssuer>(TOKENS.TokenIssuer);
  const clock = (x: DependencyContainer) => x.resolve<Clock>(TOKENS.Clock);
  const ids = (x: DependencyContainer) => x.resolve<IdGenerator>(TOKENS.IdGenerator);
  const policy = (x: DependencyContainer) => x.resolve<SessionPolicy>(TOKENS.SessionPolicy);

  c.register(SessionTokenMinter, { useFactory: cached((x) => new SessionTokenMinter(issuer(x), policy(x))) });
  c.register(RegisterUser, { useFactory: cached((x) => new RegisterUser(users(x), hasher(x), ids(x), clock(x), x.resolve(PasswordStrength))) });
  c.register(ThrottledPasswordCheck, {
    useFactory: cached((x) => new ThrottledPasswordCheck(hasher(x), x.resolve<LoginThrottle>(TOKENS.LoginThrottle))),
  });
  c.register(AuthenticateWithPassword, { useFactory: cached((x) => new AuthenticateWithPassword(users(x), x.resolve(ThrottledPasswordCheck))) });
  c.register(IssueSession, {
    useFactory: cached(
      (x) => new IssueSession(users(x), store(x), issuer(x), x.resolve(SessionTokenMinter), ids(x), clock(x), policy(x), config.limits.sessionsPerUserMax),
    ),
  });
  c.register(SignUp, {
    useFactory: cached(
      (x) =>
        new SignUp(
          x.resolve<RegistrationThrottle>(TOKENS.RegistrationThrottle),
          x.resolve(RegisterUser),
          x.resolve(IssueSession),
          users(x),
          x.resolve<LoginThrottle>(TOKENS.LoginThrottle),
        ),
    ),
  });
  c.register(AuthenticateAccessToken, { useFactory: cached((x) => new AuthenticateAccessToken(store(x), clock(x))) });
  c.register(AuthenticateRefreshToken, {
    useFactory: cached((x) => new AuthenticateRefreshToken(store(x), issuer(x), policy(x))),
  });
  c.register(RefreshSession, {
    useFactory: cached((x) => new RefreshSession(users(x), store(x), issuer(x), x.resolve(SessionTokenMinter), clock(x), x.resolve(AuthenticateRefreshToken))),
  });
  c.register(EndSession, { useFactory: cached((x) => new EndSession(store(x), clock(x), x.resolve(AuthenticateRefreshToken))) });
  c.register(EndAllSessions, { useFactory: cached((x) => new EndAllSessions(store(x), clock(x))) });
  c.register(ListSessions, { useFactory: cached((x) => new ListSessions(store(x), clock(x))) });
  c.register(ChangePassword, {
    useFactory: cached(
      (x) => new ChangePassword(users(x), store(x), x.resolve(ThrottledPasswordCheck), hasher(x), x.resolve(IssueSession), clock(x), x.resolve(PasswordStrength)),
    ),
  });
  c.register(AuthenticateWithGithub, {
    useFactory: cached((x) => new AuthenticateWithGithub(users(x), x.resolve<IdentityRepository>(TOKENS.IdentityRepository), ids(x), clock(x), x.resolve<LoginThrottle>(TOKENS.LoginThrottle))),
  });
  c.register(GetCurrentUser, { useFactory: cached((x) => new GetCurrentUser(users(x))) });
  c.register(PruneSessions, { useFactory: cached((x) => new PruneSessions(store(x), clock(x), policy(x))) });
  return c;
}

/** The Koa app over whatever the container holds. */
export function buildHttpApp(c: DependencyContainer) {
  const config = c.resolve<Config>(TOKENS.Config);
  return createApp({
    logger: c.resolve<Logger>(TOKENS.Logger),
    publicUrl: config.publicUrl,
    webAppUrl: config.webAppUrl,
    github: config.github,
    authenticateWithGithub: c.resolve(AuthenticateWithGithub),
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    jwt: c.resolve<JwtSettings>(TOKENS.JwtSettings),
    isReady: c.resolve<Readiness>(TOKENS.Readiness),
    metrics: metricsExposure(config),
    signUp: c.resolve(SignUp),
    issueSession: c.resolve(IssueSession),
    refreshSession: c.resolve(RefreshSession),
    endSession: c.resolve(EndSession),
    endAllSessions: c.resolve(EndAllSessions),
    listSessions: c.resolve(ListSessions),
    changePassword: c.resolve(ChangePassword),
    getCurrentUser: c.resolve(GetCurrentUser),
    authenticateWithPassword: c.resolve(AuthenticateWithPassword),
    authenticateAccessToken: c.resolve(AuthenticateAccessToken),
    clock: c.resolve<Clock>(TOKENS.Clock),
  });
}
