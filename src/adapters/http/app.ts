import cors from '@koa/cors';
import Koa, { type Middleware } from 'koa';
import helmet from 'koa-helmet';
import koaPassport from 'koa-passport';
import type { Logger } from 'pino';
import type { AuthenticateAccessToken } from '../../application/sessions/authenticate-access-token.js';
import type { AuthenticateWithProvider } from '../../application/providers/authenticate-with-provider.js';
import type { SignInStateStore } from '../../domain/ports/sign-in-state-store.js';
import type { OidcProviderConfig } from '../../config/providers.js';
import type { AuthenticateWithPassword } from '../../application/passwords/authenticate-with-password.js';
import type { GithubConfig } from '../../config/github.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { JwtSettings } from '../../config/jwt-settings.js';
import { accessLog } from './access-log.js';
import { authenticate, isPrincipal, isRefreshPrincipal, isSessionPrincipal } from './authenticate.js';
import { describeError, errorMiddleware } from './error-middleware.js';
import { jsonBody } from './json-body.js';
import { requireHost } from './request-guards.js';
import { requestId } from './request-id.js';
import { authRoutes, type AuthRouteDependencies } from './routes/auth-routes.js';
import { emailRoutes, type EmailRouteDependencies } from './routes/email-routes.js';
import { adminRoutes, type AdminRouteDependencies } from './routes/admin-routes.js';
import { roleGuard } from './role-guard.js';
import type { AuthorizeRole } from '../../application/admin/authorize-role.js';
import { providerRoutes } from './routes/provider-routes.js';
import { identityRoutes, type IdentityRouteDependencies } from './routes/identity-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { jwksRoutes } from './routes/jwks.js';
import { metrics, metricsRoutes, type MetricsExposure } from './routes/metrics-routes.js';
import { webRoutes } from './routes/web-routes.js';
import { passkeyRoutes, type PasskeyRouteDependencies } from './routes/passkey-routes.js';
import { mfaRoutes, type MfaRouteDependencies } from './routes/mfa-routes.js';
import { SignInStates } from './strategies/sign-in-state.js';
import { providerStrategies } from './strategies/providers.js';
import { jwtRefreshStrategy } from './strategies/jwt-refresh.js';
import { jwtStrategy } from './strategies/jwt.js';
import { localStrategy } from './strategies/local.js';
import { STRATEGY } from './strategies/names.js';

export interface HttpDependencies
  extends Omit<AuthRouteDependencies, 'guard' | 'cookies'>,
    Omit<EmailRouteDependencies, 'guard'>,
    Omit<AdminRouteDependencies, 'admin'>,
    Omit<PasskeyRouteDependencies, 'guard' | 'cookies'>,
    Omit<MfaRouteDependencies, 'guard' | 'cookies'>,
    Omit<IdentityRouteDependencies, 'guard'> {
  readonly authorizeRole: AuthorizeRole;
  readonly logger: Logger;
  readonly publicUrl: string;
  readonly webAppUrl: string;
  /** GitHub sign-in settings; null turns the `github` provider off. */
  readonly github: GithubConfig | null;
  /** Google and the other OpenID Connect issuers that are configured. */
  readonly oidc: readonly OidcProviderConfig[];
  readonly authenticateWithProvider: AuthenticateWithProvider;
  /** Where provider sign-ins' `state` is recorded and spent (memory, or Redis with REDIS_URL). */
  readonly signInStates: SignInStateStore;
  readonly trustProxy: boolean;
  readonly corsOrigins: readonly string[];
  readonly jwt: JwtSettings;
  readonly authenticateWithPassword: AuthenticateWithPassword;
  readonly authenticateAccessToken: AuthenticateAccessToken;
  /** The use cases' clock: the token strategies judge `exp` by it too. */
  readonly clock: Clock;
  readonly isReady: () => Promise<boolean>;
  /** Where GET /metrics is served; only `main` puts it on this app. */
  readonly metrics: MetricsExposure;
}

/**
 * The guards, for the deployer's own routes mounted on this app: `jwt` authenticates (401), and
 * `role(name)` authenticates, then requires the role as the user holds it now (403 FORBIDDEN).
 */
export interface Guards {
  readonly jwt: Middleware;
  role(name: string): Middleware;
}

/** The Koa application, with its guards. No passport.initialize(): a token API needs no server sessions. */
export type AuthApp = Koa & { readonly guards: Guards };

export function createApp(deps: HttpDependencies): AuthApp {
  // Behind a proxy, the client address is the one the proxy appended (the rightmost), not what
  // the client wrote at the front of X-Forwarded-For: a forged prefix cannot dodge throttling.
  const app = new Koa({ proxy: deps.trustProxy, maxIpsCount: 1 });
  app.silent = true;
  app.on('error', (err: unknown) => deps.logger.error({ error: describeError(err) }, 'response failed'));
  const https = new URL(deps.publicUrl).protocol === 'https:';

  const passport = new koaPassport.KoaPassport();
  // Registered by name, as Passport's own middleware wants them (github goes through it); the
  // guards below run the same instances directly.
  const strategies = {
    local: localStrategy(deps.authenticateWithPassword),
    jwt: jwtStrategy(deps.jwt, deps.authenticateAccessToken, deps.clock),
    jwtRefresh: jwtRefreshStrategy(deps.jwt, deps.clock),
  };
  passport.use(STRATEGY.local, strategies.local);
  passport.use(STRATEGY.jwt, strategies.jwt);
  passport.use(STRATEGY.jwtRefresh, strategies.jwtRefresh);
  // One strategy per configured provider, registered under the provider's name.
  const states = new SignInStates(deps.jwt.flowKey, https, deps.signInStates, deps.clock);
  const strategiesOfProviders = providerStrategies(deps, states, deps.authenticateWithProvider);
  for (const [name, strategy] of strategiesOfProviders) passport.use(name, strategy);
  const providers = new Set(strategiesOfProviders.keys());
  const cookies = { secure: https, csrfKey: deps.jwt.csrfKey };
  const jwtGuard = authenticate(strategies.jwt, STRATEGY.jwt, isSessionPrincipal, deps.jwt.csrfKey);

  const auth = authRoutes({
    ...deps,
    cookies,
    guard: {
      local: authenticate(strategies.local, STRATEGY.local, isPrincipal, deps.jwt.csrfKey),
      jwt: jwtGuard,
      jwtRefresh: authenticate(strategies.jwtRefresh, STRATEGY.jwtRefresh, isRefreshPrincipal, deps.jwt.csrfKey),
    },
  });
  const email = emailRoutes({ ...deps, guard: { jwt: jwtGuard } });
  const passkeys = passkeyRoutes({ passkeys: deps.passkeys, cookies, guard: { jwt: jwtGuard } });
  const mfa = mfaRoutes({ mfa: deps.mfa, cookies, guard: { jwt: jwtGuard } });
  const guards: Guards = { jwt: jwtGuard, role: (name) => roleGuard(deps.authorizeRole, jwtGuard, name) };
  const admin = adminRoutes({ ...deps, admin: guards.role('admin') });
  const health = healthRoutes(deps.isReady, deps.publicUrl);
  const identities = identityRoutes({ ...deps, guard: { jwt: jwtGuard } });
  const signInProviders = providerRoutes({
    passport,
    providers,
    firstFactor: deps.firstFactor,
    cookies,
    publicUrl: deps.publicUrl,
    webAppUrl: deps.webAppUrl,
    flowKey: deps.jwt.flowKey,
    jwtGuard,
    logger: deps.logger,
  });
  const web = webRoutes({ github: deps.github !== null, passkeys: deps.passkeys.ceremonies !== null, providers: deps.oidc.map((p) => p.name) });
  const allowedOrigins = new Set(deps.corsOrigins);

  app.use(requestId);
  const { service } = metrics();
  app.use(accessLog(deps.logger, service));
  app.use(errorMiddleware(deps.logger, service));
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
      strictTransportSecurity: https,
    }),
  );
  app.use(requireHost);
  app.use(
    cors({
      // Exact match only; other origins get no CORS headers at all, so browsers refuse them.
      origin: (ctx) => (allowedOrigins.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
      credentials: true,
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Auth-Mode', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    }),
  );
  app.use(async (ctx, next) => {
    // Answers name users and carry tokens: nothing may be cached unless a route says otherwise.
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(jsonBody);
  const metricsHere = deps.metrics.where === 'main' ? [metricsRoutes(deps.metrics.token)] : [];
  // The providers' `/auth/:provider` routes come last: every fixed /auth path is matched before them.
  for (const router of [health, jwksRoutes(deps.jwt.jwks), ...metricsHere, web, auth, email, passkeys, mfa, identities, admin]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(signInProviders);
  return Object.assign(app, { guards });
}
