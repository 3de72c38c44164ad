import cors from '@koa/cors';
import Koa, { type Middleware } from 'koa';
import helmet from 'koa-helmet';
import koaPassport from 'koa-passport';
import type { Logger } from 'pino';
import type { AuthenticateAccessToken } from '../../application/sessions/authenticate-access-token.js';
import type { AuthenticateWithGithub } from '../../application/providers/authenticate-with-github.js';
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
import { githubRoutes } from './routes/github-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { jwksRoutes } from './routes/jwks.js';
import { metrics, metricsRoutes, type MetricsExposure } from './routes/metrics-routes.js';
import { webRoutes } from './routes/web-routes.js';
import { passkeyRoutes, type PasskeyRouteDependencies } from './routes/passkey-routes.js';
import { mfaRoutes, type MfaRouteDependencies } from './routes/mfa-routes.js';
import { githubStrategy } from './strategies/github.js';
import { CookieStateStore } from './strategies/github-state-store.js';
import { jwtRefreshStrategy } from './strategies/jwt-refresh.js';
import { jwtStrategy } from './strategies/jwt.js';
import { localStrategy } from './strategies/local.js';
import { STRATEGY } from './strategies/names.js';

export interface HttpDependencies
  extends Omit<AuthRouteDependencies, 'guard' | 'cookies'>,
    Omit<EmailRouteDependencies, 'guard'>,
    Omit<AdminRouteDependencies, 'admin'>,
    Omit<PasskeyRouteDependencies, 'guard' | 'cookies'>,
    Omit<MfaRouteDependencies, 'guard' | 'cookies'> {
  readonly authorizeRole: AuthorizeRole;
  readonly logger: Logger;
  readonly publicUrl: string;
  readonly webAppUrl: string;
  /** GitHub sign-in settings; null turns the `github` strategy and its routes off. */
  readonly github: GithubConfig | null;
  readonly authenticateWithGithub: AuthenticateWithGithub;
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
  if (deps.github) {
    passport.use(STRATEGY.github, githubStrategy(deps.github, new CookieStateStore(deps.jwt.flowKey, https), deps.authenticateWithGithub));
  }
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
  const github = githubRoutes({
    passport: deps.github ? passport : null,
    firstFactor: deps.firstFactor,
    cookies,
    publicUrl: deps.publicUrl,
    webAppUrl: deps.webAppUrl,
    flowKey: deps.jwt.flowKey,
    jwtGuard,
    logger: deps.logger,
  });
  const web = webRoutes({ github: deps.github !== null, passkeys: deps.passkeys.ceremonies !== null });
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
  for (const router of [health, jwksRoutes(deps.jwt.jwks), ...metricsHere, web, github, auth, email, passkeys, mfa, admin]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return Object.assign(app, { guards });
}
