import Router from '@koa/router';
import type { KoaPassport } from 'koa-passport';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { CompleteFirstFactor } from '../../../application/factors/mfa-sign-in.js';
import { AMR, MFA_TOKEN_SECONDS } from '../../../domain/mfa.js';
import { DomainError, type ErrorCode } from '../../../domain/errors.js';
import { isPrincipal, isSessionPrincipal, principalOf } from '../authenticate.js';
import { setSessionCookies, type CookieSettings } from '../cookies.js';
import { LINK_COOKIE, MFA_COOKIE, STATE_COOKIE } from '../cookie-names.js';
import { issueLinkToken, LINK_TTL_SECONDS, verifyLinkToken } from '../github-link.js';
import { describeError } from '../error-middleware.js';
import { HttpProblemError } from '../problem.js';
import type { GithubFlowState } from '../strategies/github-state-store.js';
import { STRATEGY } from '../strategies/names.js';
import type { KeyObject } from 'node:crypto';

type Passport = InstanceType<typeof KoaPassport>;

export interface GithubRouteDependencies {
  /** The passport instance with the `github` strategy, or null when GitHub sign-in is off. */
  readonly passport: Passport | null;
  readonly firstFactor: CompleteFirstFactor;
  readonly cookies: CookieSettings;
  readonly publicUrl: string;
  readonly webAppUrl: string;
  readonly flowKey: KeyObject;
  readonly jwtGuard: Middleware;
  readonly logger: Logger;
}

/** The error codes the callback sends the browser back with (docs/github-sign-in.md). */
const CALLBACK_ERRORS: Partial<Record<ErrorCode, string>> = {
  ACCOUNT_EXISTS: 'account_exists',
  ALREADY_LINKED: 'already_linked',
  INVALID_STATE: 'invalid_state',
  EMAIL_NOT_VERIFIED: 'email_not_verified',
  ACCOUNT_DISABLED: 'account_disabled',
};

const notConfigured = () => new HttpProblemError('GITHUB_NOT_CONFIGURED', 'GitHub sign-in is not configured on this service');

export function githubRoutes(deps: GithubRouteDependencies): Router {
  const router = new Router({ prefix: '/auth/github' });
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.cookies.secure, path: '/auth/github', overwrite: true };
  const clearCookie = (ctx: Context, name: string) => {
    if (deps.cookies.secure) ctx.cookies.secure = true;
    ctx.cookies.set(name, '', { ...cookieOptions, expires: new Date(0) });
  };

  /** WEB_APP_URL is the only place the flow ever sends the browser. */
  const backToWebApp = (ctx: Context, error?: string) => {
    const target = new URL(deps.webAppUrl);
    if (error) target.searchParams.set('error', error);
    ctx.redirect(target.toString());
  };

  const enabled = (): Passport => {
    if (!deps.passport) throw notConfigured();
    return deps.passport;
  };

  router.get('/', async (ctx, next) => {
    const passport = enabled();
    let state: GithubFlowState = {};
    const link = ctx.query.link;
    if (link !== undefined) {
      const userId = typeof link === 'string' ? verifyLinkToken(deps.flowKey, link, ctx.cookies.get(LINK_COOKIE)) : null;
      clearCookie(ctx, LINK_COOKIE);
      if (!userId) return backToWebApp(ctx, 'invalid_state');
      state = { link: userId };
    }
    await passport.authenticate(STRATEGY.github, { session: false, state })(ctx, next);
  });

  router.get('/callback', async (ctx) => {
    const passport = enabled();
    if (ctx.query.code === undefined && ctx.query.error === undefined) {
      clearCookie(ctx, STATE_COOKIE);
      return backToWebApp(ctx, 'invalid_state');
    }
    let outcome: { err: unknown; user: unknown; info: unknown; status: unknown } | undefined;
    await passport.authenticate(STRATEGY.github, { session: false }, (err: unknown, user: unknown, info: unknown, status: unknown) => {
      outcome = { err, user, info, status };
    })(ctx, () => Promise.resolve());
    clearCookie(ctx, STATE_COOKIE);

    if (!outcome || outcome.err) {
      deps.logger.warn({ requestId: ctx.state.requestId, error: describeError(outcome?.err) }, 'GitHub sign-in failed upstream');
      return backToWebApp(ctx, 'github_unavailable');
    }
    if (!outcome.user) {
      const info = outcome.info;
      if (info instanceof DomainError) {
        const code = CALLBACK_ERRORS[info.code];
        if (!code) deps.logger.warn({ requestId: ctx.state.requestId, code: info.code }, 'GitHub sign-in failed');
        return backToWebApp(ctx, code ?? 'server_error');
      }
      // passport-oauth2 fails with 403 on a state mismatch, and without a status on access_denied.
      return backToWebApp(ctx, outcome.status === 403 ? 'invalid_state' : 'access_denied');
    }
    const { userId } = principalOf({ principal: outcome.user }, isPrincipal);
    let signIn;
    try {
      signIn = await deps.firstFactor.execute({ userId, amr: [AMR.federated], mode: 'cookie', clientIp: ctx.ip, userAgent: ctx.get('User-Agent') });
    } catch (err) {
      // The callback always sends the browser back (docs/http-api.md): our own failure, a store outage say, is server_error.
      deps.logger.warn({ requestId: ctx.state.requestId, error: describeError(err) }, 'GitHub sign-in could not start a session');
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
    '/link',
    async (_ctx, next) => {
      enabled();
      await next();
    },
    deps.jwtGuard,
    (ctx) => {
      const { userId } = principalOf(ctx.state, isSessionPrincipal);
      const { token, nonce } = issueLinkToken(deps.flowKey, userId);
      if (deps.cookies.secure) ctx.cookies.secure = true;
      ctx.cookies.set(LINK_COOKIE, nonce, { ...cookieOptions, maxAge: LINK_TTL_SECONDS * 1000 });
      const url = new URL('/auth/github', deps.publicUrl);
      url.searchParams.set('link', token);
      ctx.body = { url: url.toString() };
    },
  );

  return router;
}
