import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ChangePassword } from '../../../application/passwords/change-password.js';
import type { EndAllSessions } from '../../../application/sessions/end-all-sessions.js';
import type { EndSession } from '../../../application/sessions/end-session.js';
import type { GetCurrentUser } from '../../../application/accounts/get-current-user.js';
import type { CompleteFirstFactor } from '../../../application/factors/mfa-sign-in.js';
import { AMR } from '../../../domain/mfa.js';
import type { ListSessions } from '../../../application/sessions/list-sessions.js';
import type { RefreshSession } from '../../../application/sessions/refresh-session.js';
import type { SignUp } from '../../../application/accounts/sign-up.js';
import type { ListSecurityEvents } from '../../../application/admin/list-security-events.js';
import { isPrincipal, isRefreshPrincipal, isSessionPrincipal, principalOf } from '../authenticate.js';
import type { CookieSettings } from '../cookies.js';
import { presentEvent, presentSession, presentUser, sendSignedOut, sendTokens, wantsCookies } from '../presenters.js';
import { changePasswordSchema, parseBody, registerSchema } from '../validation.js';
import { readCredentials } from './credentials.js';

export interface AuthRouteDependencies {
  readonly signUp: SignUp;
  readonly firstFactor: CompleteFirstFactor;
  readonly refreshSession: RefreshSession;
  readonly endSession: EndSession;
  readonly endAllSessions: EndAllSessions;
  readonly listSessions: ListSessions;
  readonly changePassword: ChangePassword;
  readonly getCurrentUser: GetCurrentUser;
  readonly listSecurityEvents: ListSecurityEvents;
  readonly cookies: CookieSettings;
  /** Authentication middleware per strategy. */
  readonly guard: { readonly local: Middleware; readonly jwt: Middleware; readonly jwtRefresh: Middleware };
}

/** Thin routes: parse and validate, call a use case, serialise. */
export function authRoutes(deps: AuthRouteDependencies): Router {
  const router = new Router({ prefix: '/auth' });

  router.post('/register', async (ctx) => {
    const { user, tokens } = await deps.signUp.execute({
      clientIp: ctx.ip,
      userAgent: ctx.get('User-Agent'),
      read: () => parseBody(registerSchema, ctx.request.body),
    });
    if (tokens) return sendTokens(ctx, deps.cookies, 201, tokens);
    // EMAIL_VERIFICATION=required: the account exists, its first sign-in waits for the mailed link.
    ctx.status = 201;
    ctx.body = { user: presentUser(user) };
  });

  router.post('/login', readCredentials, deps.guard.local, async (ctx) => {
    const { userId } = principalOf(ctx.state, isPrincipal);
    // With TOTP on, the right password answers 401 MFA_REQUIRED with an mfaToken instead (docs/mfa.md).
    const tokens = await deps.firstFactor.tokensOrMfaRequired({
      userId,
      amr: [AMR.password],
      mode: wantsCookies(ctx) ? 'cookie' : 'bearer',
      clientIp: ctx.ip,
      userAgent: ctx.get('User-Agent'),
    });
    sendTokens(ctx, deps.cookies, 200, tokens);
  });

  router.post('/refresh', deps.guard.jwtRefresh, async (ctx) => {
    const tokens = await deps.refreshSession.execute(principalOf(ctx.state, isRefreshPrincipal));
    sendTokens(ctx, deps.cookies, 200, tokens);
  });

  router.post('/logout', deps.guard.jwtRefresh, async (ctx) => {
    await deps.endSession.execute(principalOf(ctx.state, isRefreshPrincipal));
    sendSignedOut(ctx, deps.cookies);
  });

  router.post('/logout-all', deps.guard.jwt, async (ctx) => {
    await deps.endAllSessions.execute(principalOf(ctx.state, isSessionPrincipal));
    sendSignedOut(ctx, deps.cookies);
  });

  router.post('/password', deps.guard.jwt, async (ctx) => {
    const body = parseBody(changePasswordSchema, ctx.request.body);
    const tokens = await deps.changePassword.execute({
      principal: principalOf(ctx.state, isSessionPrincipal),
      currentPassword: body.currentPassword,
      newPassword: body.newPassword,
      clientIp: ctx.ip,
      userAgent: ctx.get('User-Agent'),
    });
    sendTokens(ctx, deps.cookies, 200, tokens);
  });

  router.get('/me', deps.guard.jwt, async (ctx) => {
    const user = await deps.getCurrentUser.execute(principalOf(ctx.state, isSessionPrincipal));
    ctx.body = presentUser(user);
  });

  // The caller's own security activity: the last 50 events of the account, newest first.
  router.get('/events', deps.guard.jwt, async (ctx) => {
    const { userId } = principalOf(ctx.state, isSessionPrincipal);
    const page = await deps.listSecurityEvents.execute({ userId, limit: 50 });
    ctx.body = { events: page.events.map(presentEvent) };
  });

  router.get('/sessions', deps.guard.jwt, async (ctx) => {
    const sessions = await deps.listSessions.execute(principalOf(ctx.state, isSessionPrincipal));
    ctx.body = sessions.map(presentSession);
  });

  router.delete('/sessions/:id', deps.guard.jwt, async (ctx) => {
    const principal = principalOf(ctx.state, isSessionPrincipal);
    const sessionId = ctx.params.id ?? '';
    await deps.endSession.execute({ userId: principal.userId, sessionId });
    if (sessionId === principal.sessionId) sendSignedOut(ctx, deps.cookies);
    else ctx.status = 204;
  });

  return router;
}
