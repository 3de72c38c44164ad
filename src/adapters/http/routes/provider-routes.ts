import Router from '@koa/router';
import type { KoaPassport } from 'koa-passport';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { CompleteFirstFactor } from '../../../application/factors/mfa-sign-in.js';
import { AMR, MFA_TOKEN_SECONDS } from '../../../domain/mfa.js';
import { DomainError, ServiceUnavailableError, type ErrorCode } from '../../../domain/errors.js';
import { GITHUB } from '../../../domain/identity.js';
import { RESERVED_PROVIDER_NAMES } from '../../../config/providers.js';
import { isPrincipal, isSessionPrincipal, principalOf } from '../authenticate.js';
import { setSessionCookies, type CookieSettings } from '../cookies.js';
import { LINK_COOKIE, MFA_COOKIE, STATE_COOKIE } from '../cookie-names.js';
import { issueLinkToken, LINK_TTL_SECONDS, verifyLinkToken } from '../provider-link.js';
import { describeError } from '../error-middleware.js';
import { HttpProblemError } from '../problem.js';
import { IdTokenInvalidError } from '../strategies/oidc.js';
import type { SignInFlow } from '../strategies/sign-in-state.js';
import type { KeyObject } from 'node:crypto';

type Passport = InstanceType<typeof KoaPassport>;

/** The providers this service signs in with: each is a Passport strategy registered under its name. */
export interface ProviderRouteDependencies {
  /** The passport instance holding a strategy per configured provider. */
  readonly passport: Passport;
  /** The configured providers' names (`github`, `google`, `<name>` of OIDC_<NAME>_*). */
  readonly providers: ReadonlySet<string>;
  readonly firstFactor: CompleteFirstFactor;
  readonly cookies: CookieSettings;
  readonly publicUrl: string;
  readonly webAppUrl: string;
  readonly flowKey: KeyObject;
  readonly jwtGuard: Middleware;
  readonly logger: Logger;
}

/** The error codes the callback sends the browser back with (docs/providers.md). */
const CALLBACK_ERRORS: Partial<Record<ErrorCode, string>> = {
  ACCOUNT_EXISTS: 'account_exists',
  ALREADY_LINKED: 'already_linked',
  INVALID_STATE: 'invalid_state',
  EMAIL_NOT_VERIFIED: 'email_not_verified',
  ACCOUNT_DISABLED: 'account_disabled',
};

/** A provider that could not be reached: GitHub keeps the code it always had. */
const unavailable = (provider: string) => (provider === GITHUB ? 'github_unavailable' : 'provider_unavailable');

const notConfigured = (provider: string) =>
  provider === GITHUB
    ? new HttpProblemError('GITHUB_NOT_CONFIGURED', 'GitHub sign-in is not configured on this service')
    : new HttpProblemError('PROVIDER_NOT_CONFIGURED', 'No sign-in provider of that name is configured on this service');

/**
 * One flow for every provider (API.md "Sign-in providers"); GitHub's paths are this flow with
 * provider `github`. `GET /auth/:provider` starts it, its callback ends it (always back at
 * WEB_APP_URL, with `?error=` on failure), `POST /auth/:provider/link` hands a signed-in user a
 * browser-bound URL that links the provider to the account. Mounted after every other /auth
 * route, so `/auth/me` and the like are never taken for a provider.
 */
export function providerRoutes(deps: ProviderRouteDependencies): Middleware {
  const router = new Router({ prefix: '/auth' });
  const cookieOptions = (provider: string) => ({ httpOnly: true, sameSite: 'lax' as const, secure: deps.cookies.secure, path: `/auth/${provider}`, overwrite: true });
  const clearCookie = (ctx: Context, provider: string, name: string) => {
    if (deps.cookies.secure) ctx.cookies.secure = true;
    ctx.cookies.set(name, '', { ...cookieOptions(provider), expires: new Date(0) });
  };

  /** WEB_APP_URL is the only place the flow ever sends the browser. */
  const backToWebApp = (ctx: Context, error?: string) => {
    const target = new URL(deps.webAppUrl);
    if (error) target.searchParams.set('error', error);
    ctx.redirect(target.toString());
  };

  /** The configured provider the path names, or 404 PROVIDER_NOT_CONFIGURED (GITHUB_NOT_CONFIGURED for github). */
  const providerOf = (ctx: Context): string => {
    const provider = ctx.params.provider ?? '';
    if (!deps.providers.has(provider)) throw notConfigured(provider);
    return provider;
  };

  router.get('/:provider', async (ctx, next) => {
    const provider = providerOf(ctx);
    let state: SignInFlow = {};
    const link = ctx.query.link;
    if (link !== undefined) {
      const userId = typeof link === 'string' ? verifyLinkToken(deps.flowKey, provider, link, ctx.cookies.get(LINK_COOKIE)) : null;
      clearCookie(ctx, provider, LINK_COOKIE);
      if (!userId) return backToWebApp(ctx, 'invalid_state');
      state = { link: userId };
    }
    let failed: unknown;
    await deps.passport.authenticate(provider, { session: false, state }, (err: unknown) => {
      failed = err;
    })(ctx, next);
    if (failed !== undefined && failed !== null) {
      deps.logger.warn({ requestId: ctx.state.requestId, provider, error: describeError(failed) }, 'provider sign-in could not start');
      clearCookie(ctx, provider, STATE_COOKIE);
      return backToWebApp(ctx, failed instanceof ServiceUnavailableError ? 'server_error' : unavailable(provider));
    }
  });

  router.get('/:provider/callback', async (ctx) => {
    const provider = providerOf(ctx);
    if (ctx.query.code === undefined && ctx.query.error === undefined) {
      clearCookie(ctx, provider, STATE_COOKIE);
      return backToWebApp(ctx, 'invalid_state');
    }
    let outcome: { err: unknown; user: unknown; info: unknown; status: unknown } | undefined;
    await deps.passport.authenticate(provider, { session: false }, (err: unknown, user: unknown, info: unknown, status: unknown) => {
      outcome = { err, user, info, status };
    })(ctx, () => Promise.resolve());
    clearCookie(ctx, provider, STATE_COOKIE);

    if (!outcome || outcome.err) {
      const err = outcome?.err;
      deps.logger.warn({ requestId: ctx.state.requestId, provider, error: describeError(err) }, 'provider sign-in failed upstream');
      if (err instanceof IdTokenInvalidError) return backToWebApp(ctx, 'invalid_id_token');
      return backToWebApp(ctx, err instanceof ServiceUnavailableError ? 'server_error' : unavailable(provider));
    }
    if (!outcome.user) {
      const info = outcome.info;
      if (info instanceof DomainError) {
        const code = CALLBACK_ERRORS[info.code];
        if (!code) deps.logger.warn({ requestId: ctx.state.requestId, provider, code: info.code }, 'provider sign-in failed');
        return backToWebApp(ctx, code ?? 'server_error');
      }
      // The strategies fail with 403 on a state mismatch, and without a status on access_denied.
      return backToWebApp(ctx, outcome.status === 403 ? 'invalid_state' : 'access_denied');
    }
    const { userId } = principalOf({ principal: outcome.user }, isPrincipal);
    let signIn;
    try {
      signIn = await deps.firstFactor.execute({ userId, amr: [AMR.federated], mode: 'cookie', clientIp: ctx.ip, userAgent: ctx.get('User-Agent') });
    } catch (err) {
      // The callback always sends the browser back: our own failure, a store outage say, is server_error.
      deps.logger.warn({ requestId: ctx.state.requestId, provider, error: describeError(err) }, 'provider sign-in could not start a session');
      return backToWebApp(ctx, 'server_error');
    }
    if (signIn.kind === 'mfa_required') {
      // No session yet: the page asks for a code and posts it to /auth/mfa/verify, which reads this cookie.
      if (deps.cookies.secure) ctx.cookies.secure = true;
      ctx.cookies.set(MFA_COOKIE, signIn.mfaToken, { httpOnly: true, sameSite: 'lax', secure: deps.cookies.secure, path: '/auth/mfa', overwrite: true, maxAge: MFA_TOKEN_SECONDS * 1000 });
      const target = new URL(deps.webAppUrl);
      target.searchParams.set('mfa', 'required');
      return ctx.redirect(target.toString());
    }
    setSessionCookies(ctx, deps.cookies, signIn.tokens);
    backToWebApp(ctx);
  });

  router.post(
    '/:provider/link',
    async (ctx, next) => {
      providerOf(ctx);
      await next();
    },
    deps.jwtGuard,
    (ctx) => {
      const provider = providerOf(ctx);
      const { userId } = principalOf(ctx.state, isSessionPrincipal);
      const { token, nonce } = issueLinkToken(deps.flowKey, provider, userId);
      if (deps.cookies.secure) ctx.cookies.secure = true;
      ctx.cookies.set(LINK_COOKIE, nonce, { ...cookieOptions(provider), maxAge: LINK_TTL_SECONDS * 1000 });
      const url = new URL(`/auth/${provider}`, deps.publicUrl);
      url.searchParams.set('link', token);
      ctx.body = { url: url.toString() };
    },
  );

  const dispatch = router.routes();
  // Only a path that could be a provider's reaches the routes (any other name there is 404
  // PROVIDER_NOT_CONFIGURED): `/auth/login` with the wrong method, `POST /auth/nope` or a segment
  // that does not decode fall through to the ordinary 404 and 405, untouched by routes that only a
  // provider would have.
  return async (ctx, next) => {
    const found = PROVIDER_PATH.exec(ctx.path);
    if (!found?.[1]) return next();
    const method = found[2] === '/link' ? 'POST' : 'GET';
    if (ctx.method !== method && !(method === 'GET' && ctx.method === 'HEAD')) return next();
    let name: string;
    try {
      name = decodeURIComponent(found[1]);
    } catch {
      return next();
    }
    if (OWN_PATHS.has(name)) return next();
    return dispatch(ctx as Parameters<typeof dispatch>[0], next);
  };
}

const PROVIDER_PATH = /^\/auth\/([^/]+)(\/callback|\/link)?$/;
/** The service's own /auth/<word> paths: never a provider's. */
const OWN_PATHS: ReadonlySet<string> = new Set([...RESERVED_PROVIDER_NAMES].filter((name) => name !== GITHUB && name !== 'google'));
