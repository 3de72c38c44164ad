import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { container as root, instancePerContainerCachingFactory as cached, type DependencyContainer } from 'tsyringe';
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
import { metrics, metricsExposure } from '../adapters/http/routes/metrics-routes.js';
import { createDatabase, isDatabaseReady } from '../adapters/persistence/knex/database.js';
import { CachingIdentityRepository, CachingUserRepository, UserCache } from '../adapters/persistence/cache/caching-accounts.js';
import { CachingTokenStore } from '../adapters/persistence/cache/caching-token-store.js';
import { KnexIdentityRepository } from '../adapters/persistence/knex/knex-identity-repository.js';
import { KnexTokenStore } from '../adapters/persistence/knex/knex-token-store.js';
import { KnexUserRepository } from '../adapters/persistence/knex/knex-user-repository.js';
import { connectRedis, isRedisReady } from '../adapters/persistence/redis/redis-client.js';
import { RedisTokenStore } from '../adapters/persistence/redis/redis-token-store.js';
import { RedisSharedInvalidation } from '../adapters/persistence/redis/redis-shared-invalidation.js';
import type { SharedInvalidation } from '../adapters/shared/shared-invalidation.js';
import { RandomIdGenerator } from '../adapters/system/random-id-generator.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { memoryLimiters, redisLimiters, registrationLimiter } from '../adapters/throttle/limiters.js';
import { RateLimiterLoginThrottle } from '../adapters/throttle/rate-limiter-login-throttle.js';
import { RateLimiterRegistrationThrottle } from '../adapters/throttle/rate-limiter-registration-throttle.js';
import type { Redis } from 'ioredis';
import { TOKENS } from './tokens.js';
import { RolePolicy } from '../application/accounts/roles.js';
import { DetachedWork } from '../adapters/system/detached-work.js';
import type { AuditLog, SecurityEvents } from '../domain/ports/audit-log.js';
import { ResilientSecurityEvents } from '../adapters/audit/resilient-security-events.js';
import { KnexAuditLog } from '../adapters/persistence/knex/knex-audit-log.js';
import type { EmailTokenStore } from '../domain/ports/email-token-store.js';
import type { Mailer } from '../domain/ports/mailer.js';
import type { MailThrottle } from '../domain/ports/mail-throttle.js';
import type { OneTimeTokens } from '../domain/ports/one-time-tokens.js';
import { RandomOneTimeTokens } from '../adapters/crypto/random-one-time-tokens.js';
import { loadMailTemplates } from '../adapters/mail/mail-templates.js';
import { OutboxMailTransport } from '../adapters/mail/outbox-mail-transport.js';
import { QueueingMailer } from '../adapters/mail/queueing-mailer.js';
import { SmtpMailTransport } from '../adapters/mail/smtp-mail-transport.js';
import { KnexEmailTokenStore } from '../adapters/persistence/knex/knex-email-token-store.js';
import { mailLimiters, RateLimiterMailThrottle } from '../adapters/throttle/rate-limiter-mail-throttle.js';
import { composeUseCases, type UseCases } from './use-cases.js';
import { composePasskeyUseCases } from './passkey-use-cases.js';
import type { PasskeyUseCases } from '../adapters/http/routes/passkey-routes.js';
import { KnexPasskeyStore } from '../adapters/persistence/knex/knex-passkey-store.js';
import { InMemoryPasskeyChallengeStore } from '../adapters/persistence/memory/in-memory-passkey-challenge-store.js';
import { RedisPasskeyChallengeStore } from '../adapters/persistence/redis/redis-passkey-challenge-store.js';
import { InMemorySignInStateStore } from '../adapters/persistence/memory/in-memory-sign-in-state-store.js';
import { RedisSignInStateStore } from '../adapters/persistence/redis/redis-sign-in-state-store.js';
import type { SignInStateStore } from '../domain/ports/sign-in-state-store.js';
import { SimpleWebAuthnCeremonies } from '../adapters/webauthn/simple-webauthn-ceremonies.js';
import type { PasskeyChallengeStore } from '../domain/ports/passkey-challenge-store.js';
import type { PasskeyStore } from '../domain/ports/passkey-store.js';
import type { WebAuthnCeremonies } from '../domain/ports/webauthn-ceremonies.js';
import { PASSKEY_CHALLENGE_SECONDS } from '../domain/passkey.js';
import { CachingPasskeyStore, CachingTotpFactorStore } from '../adapters/persistence/cache/caching-accounts.js';
import { AesGcmSecretBox } from '../adapters/crypto/aes-gcm-secret-box.js';
import { OtplibTotpCodes } from '../adapters/crypto/otplib-totp-codes.js';
import { KnexTotpFactorStore } from '../adapters/persistence/knex/knex-totp-factor-store.js';
import { InMemoryMfaChallengeStore } from '../adapters/persistence/memory/in-memory-mfa-challenge-store.js';
import { RedisMfaChallengeStore } from '../adapters/persistence/redis/redis-mfa-challenge-store.js';
import type { MfaChallengeStore } from '../domain/ports/mfa-challenge-store.js';
import type { SecretBox } from '../domain/ports/secret-box.js';
import type { TotpCodes } from '../domain/ports/totp-codes.js';
import type { TotpFactorStore } from '../domain/ports/totp-factor-store.js';
import { composeMfaUseCases, type ComposedMfa } from './mfa-use-cases.js';

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
  // served from memory: sessions for CACHE_TTL_MS, users for as long as config.userCache says;
  // writes through this instance invalidate at once, and with Redis every instance hears them.
  const sessionCache = { max: 50_000, ttlMs: config.cacheTtlMs };
  c.register(TOKENS.SharedInvalidation, {
    useFactory: cached((x) => {
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      return redis && config.userCache.shared ? new RedisSharedInvalidation(redis, `${config.redisKeyPrefix}invalidate:users`, logger) : null;
    }),
  });
  const cachingUsers = config.userCache.ttlMs > 0;
  c.register(TOKENS.UserCache, {
    useFactory: cached((x) => new UserCache({ max: 50_000, ttlMs: config.userCache.ttlMs, shared: x.resolve<SharedInvalidation | null>(TOKENS.SharedInvalidation) ?? undefined })),
  });
  c.register(TOKENS.UserRepository, {
    useFactory: cached((x) => {
      const repository = new KnexUserRepository(x.resolve<Knex>(TOKENS.Database));
      return cachingUsers ? new CachingUserRepository(repository, x.resolve<UserCache>(TOKENS.UserCache)) : repository;
    }),
  });
  c.register(TOKENS.IdentityRepository, {
    useFactory: cached((x) => {
      const repository = new KnexIdentityRepository(x.resolve<Knex>(TOKENS.Database));
      return cachingUsers ? new CachingIdentityRepository(repository, x.resolve<UserCache>(TOKENS.UserCache)) : repository;
    }),
  });
  c.register(TOKENS.TokenStore, {
    useFactory: cached((x) => {
      // With REDIS_URL the sessions (refresh-token state) live in Redis, shared by every instance.
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      const store: TokenStore = redis
        ? new RedisTokenStore(redis, { prefix: config.redisKeyPrefix, idleTtlSeconds: config.session.refreshTokenTtlSeconds })
        : new KnexTokenStore(x.resolve<Knex>(TOKENS.Database));
      return config.cacheTtlMs > 0 ? new CachingTokenStore(store, sessionCache) : store;
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

  c.register(TOKENS.EmailTokenStore, { useFactory: cached((x) => new KnexEmailTokenStore(x.resolve<Knex>(TOKENS.Database))) });
  c.register(TOKENS.OneTimeTokens, { useFactory: cached(() => new RandomOneTimeTokens()) });
  c.register(TOKENS.MailThrottle, {
    useFactory: cached((x) => {
      const limiters = mailLimiters(config.mail, x.resolve<Redis | null>(TOKENS.Redis), config.redisKeyPrefix);
      return new RateLimiterMailThrottle(limiters, x.resolve<JwtSettings>(TOKENS.JwtSettings).counterKey);
    }),
  });
  // Mail leaves in the background, retried; without SMTP_URL it is written to MAIL_OUTBOX_DIR.
  // The templates are read (and checked) here, at start, so a broken one stops the start.
  c.register(TOKENS.Mailer, {
    useFactory: cached(
      () =>
        new QueueingMailer({
          transport: config.mail.smtpUrl ? new SmtpMailTransport(config.mail.smtpUrl) : new OutboxMailTransport(config.mail.outboxDir),
          settings: {
            appName: config.appName,
            from: config.mail.from,
            linkBaseUrl: config.mail.linkBaseUrl,
            verificationTtlSeconds: config.mail.verificationTtlSeconds,
            resetTtlSeconds: config.mail.resetTtlSeconds,
          },
          logger,
          templates: config.mail.templatesDir ? loadMailTemplates(config.mail.templatesDir) : loadMailTemplates(),
        }),
    ),
  });
  c.register(TOKENS.AuditLog, { useFactory: cached((x) => new KnexAuditLog(x.resolve<Knex>(TOKENS.Database))) });
  // Use cases await each event; a write that fails is logged (AUDIT_WRITE_FAILED) and never fails the request.
  c.register(TOKENS.SecurityEvents, {
    useFactory: cached((x) => {
      const byType = metrics().service.securityEvents;
      return new ResilientSecurityEvents(x.resolve<AuditLog>(TOKENS.AuditLog), x.resolve<IdGenerator>(TOKENS.IdGenerator), x.resolve<Clock>(TOKENS.Clock), logger, (type) => byType.inc({ type }));
    }),
  });
  c.register(TOKENS.BackgroundWork, { useFactory: cached(() => new DetachedWork(logger)) });
  c.register(TOKENS.RolePolicy, { useValue: new RolePolicy(config.admin.adminEmails) });
  c.register(TOKENS.UseCases, {
    useFactory: cached(
      (x): UseCases =>
        composeUseCases({
          users: x.resolve<UserRepository>(TOKENS.UserRepository),
          identities: x.resolve<IdentityRepository>(TOKENS.IdentityRepository),
          store: x.resolve<TokenStore>(TOKENS.TokenStore),
          issuer: x.resolve<TokenIssuer>(TOKENS.TokenIssuer),
          clock: x.resolve<Clock>(TOKENS.Clock),
          ids: x.resolve<IdGenerator>(TOKENS.IdGenerator),
          policy: x.resolve<SessionPolicy>(TOKENS.SessionPolicy),
          sessionsPerUserMax: config.limits.sessionsPerUserMax,
          hasher: x.resolve<PasswordHasher>(TOKENS.PasswordHasher),
          loginThrottle: x.resolve<LoginThrottle>(TOKENS.LoginThrottle),
          registrationThrottle: x.resolve<RegistrationThrottle>(TOKENS.RegistrationThrottle),
          strength: x.resolve(PasswordStrength),
          emailTokens: x.resolve<EmailTokenStore>(TOKENS.EmailTokenStore),
          oneTimeTokens: x.resolve<OneTimeTokens>(TOKENS.OneTimeTokens),
          mailer: x.resolve<Mailer>(TOKENS.Mailer),
          mailThrottle: x.resolve<MailThrottle>(TOKENS.MailThrottle),
          emailVerification: config.mail.emailVerification,
          emailLinkLifetimes: config.mail,
          events: x.resolve<SecurityEvents>(TOKENS.SecurityEvents),
          auditLog: x.resolve<AuditLog>(TOKENS.AuditLog),
          roles: x.resolve<RolePolicy>(TOKENS.RolePolicy),
          auditRetentionDays: config.admin.auditRetentionDays,
          background: x.resolve<DetachedWork>(TOKENS.BackgroundWork),
        }),
    ),
  });
  // Passkey and TOTP writes change the user object's `mfa`: with the user cache they invalidate it.
  c.register(TOKENS.PasskeyStore, {
    useFactory: cached((x) => {
      const store = new KnexPasskeyStore(x.resolve<Knex>(TOKENS.Database));
      return cachingUsers ? new CachingPasskeyStore(store, x.resolve<UserCache>(TOKENS.UserCache)) : store;
    }),
  });
  c.register(TOKENS.TotpFactorStore, {
    useFactory: cached((x) => {
      const store = new KnexTotpFactorStore(x.resolve<Knex>(TOKENS.Database));
      return cachingUsers ? new CachingTotpFactorStore(store, x.resolve<UserCache>(TOKENS.UserCache)) : store;
    }),
  });
  // Like the passkey challenges: in Redis with REDIS_URL, else in this process.
  c.register(TOKENS.MfaChallengeStore, {
    useFactory: cached((x): MfaChallengeStore => {
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      return redis ? new RedisMfaChallengeStore(redis, config.redisKeyPrefix, x.resolve<Clock>(TOKENS.Clock)) : new InMemoryMfaChallengeStore();
    }),
  });
  c.register(TOKENS.SecretBox, { useFactory: cached(() => new AesGcmSecretBox(config.mfa.encryptionKey, config.mfa.enrolmentAvailable)) });
  c.register(TOKENS.TotpCodes, { useFactory: cached(() => new OtplibTotpCodes()) });
  c.register(TOKENS.MfaUseCases, {
    useFactory: cached((x): ComposedMfa => {
      const useCases = x.resolve<UseCases>(TOKENS.UseCases);
      return composeMfaUseCases({
        users: x.resolve<UserRepository>(TOKENS.UserRepository),
        sessions: x.resolve<TokenStore>(TOKENS.TokenStore),
        factors: x.resolve<TotpFactorStore>(TOKENS.TotpFactorStore),
        passkeys: x.resolve<PasskeyStore>(TOKENS.PasskeyStore),
        challenges: x.resolve<MfaChallengeStore>(TOKENS.MfaChallengeStore),
        box: x.resolve<SecretBox>(TOKENS.SecretBox),
        codes: x.resolve<TotpCodes>(TOKENS.TotpCodes),
        oneTimeTokens: x.resolve<OneTimeTokens>(TOKENS.OneTimeTokens),
        loginThrottle: x.resolve<LoginThrottle>(TOKENS.LoginThrottle),
        passwords: useCases.passwordCheck,
        clock: x.resolve<Clock>(TOKENS.Clock),
        events: x.resolve<SecurityEvents>(TOKENS.SecurityEvents),
        issueSession: useCases.issueSession,
        issuer: config.appName,
      });
    }),
  });
  // Challenges live where the rate limits do: in Redis with REDIS_URL (shared by every instance,
  // spent with GETDEL), else in this process. They are short-lived and disposable: a lost one
  // fails its ceremony, so no table or pruning job is needed for them.
  c.register(TOKENS.PasskeyChallengeStore, {
    useFactory: cached((x): PasskeyChallengeStore => {
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      return redis ? new RedisPasskeyChallengeStore(redis, config.redisKeyPrefix, x.resolve<Clock>(TOKENS.Clock)) : new InMemoryPasskeyChallengeStore();
    }),
  });
  c.register(TOKENS.SignInStateStore, {
    useFactory: cached((x): SignInStateStore => {
      const redis = x.resolve<Redis | null>(TOKENS.Redis);
      return redis ? new RedisSignInStateStore(redis, config.redisKeyPrefix, x.resolve<Clock>(TOKENS.Clock)) : new InMemorySignInStateStore();
    }),
  });
  c.register(TOKENS.WebAuthnCeremonies, {
    useFactory: cached((): WebAuthnCeremonies | null =>
      config.passkeys
        ? new SimpleWebAuthnCeremonies({ id: config.passkeys.rpId, name: config.appName, origins: config.passkeys.origins, timeoutMs: PASSKEY_CHALLENGE_SECONDS * 1000 })
        : null,
    ),
  });
  c.register(TOKENS.PasskeyUseCases, {
    useFactory: cached(
      (x): PasskeyUseCases =>
        composePasskeyUseCases({
          users: x.resolve<UserRepository>(TOKENS.UserRepository),
          passkeys: x.resolve<PasskeyStore>(TOKENS.PasskeyStore),
          challenges: x.resolve<PasskeyChallengeStore>(TOKENS.PasskeyChallengeStore),
          ceremonies: x.resolve<WebAuthnCeremonies | null>(TOKENS.WebAuthnCeremonies),
          clock: x.resolve<Clock>(TOKENS.Clock),
          events: x.resolve<SecurityEvents>(TOKENS.SecurityEvents),
          issueSession: x.resolve<UseCases>(TOKENS.UseCases).issueSession,
        }),
    ),
  });
  return c;
}

/** The Koa app over whatever the container holds. */
export function buildHttpApp(c: DependencyContainer) {
  const config = c.resolve<Config>(TOKENS.Config);
  const useCases = c.resolve<UseCases>(TOKENS.UseCases);
  const mfa = c.resolve<ComposedMfa>(TOKENS.MfaUseCases);
  return createApp({
    logger: c.resolve<Logger>(TOKENS.Logger),
    publicUrl: config.publicUrl,
    webAppUrl: config.webAppUrl,
    github: config.github,
    oidc: config.oidc,
    authenticateWithProvider: useCases.authenticateWithProvider,
    signInStates: c.resolve<SignInStateStore>(TOKENS.SignInStateStore),
    listIdentities: useCases.listIdentities,
    unlinkIdentity: useCases.unlinkIdentity,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    jwt: c.resolve<JwtSettings>(TOKENS.JwtSettings),
    isReady: c.resolve<Readiness>(TOKENS.Readiness),
    metrics: metricsExposure(config),
    signUp: useCases.signUp,
    firstFactor: mfa.firstFactor,
    mfa,
    refreshSession: useCases.refreshSession,
    endSession: useCases.endSession,
    endAllSessions: useCases.endAllSessions,
    listSessions: useCases.listSessions,
    changePassword: useCases.changePassword,
    getCurrentUser: useCases.getCurrentUser,
    authenticateWithPassword: useCases.authenticateWithPassword,
    authenticateAccessToken: useCases.authenticateAccessToken,
    requestEmailVerification: useCases.requestEmailVerification,
    verifyEmail: useCases.verifyEmail,
    forgotPassword: useCases.forgotPassword,
    resetPassword: useCases.resetPassword,
    requestEmailChange: useCases.requestEmailChange,
    confirmEmailChange: useCases.confirmEmailChange,
    listSecurityEvents: useCases.listSecurityEvents,
    authorizeRole: useCases.authorizeRole,
    searchUsers: useCases.searchUsers,
    getUserDetails: useCases.getUserDetails,
    updateUser: useCases.updateUser,
    eraseUser: useCases.eraseUser,
    endUserSessions: useCases.endUserSessions,
    clock: c.resolve<Clock>(TOKENS.Clock),
    passkeys: c.resolve<PasskeyUseCases>(TOKENS.PasskeyUseCases),
  });
}
