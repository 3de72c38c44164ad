import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { EndSession } from '../../../application/end-session.js';
import type { GetCurrentUser } from '../../../application/get-current-user.js';
import type { IssueSession } from '../../../application/issue-session.js';
import type { RefreshSession } from '../../../application/refresh-session.js';
import type { RegisterUser } from '../../../application/register-user.js';
import { isPrincipal, isRefreshPrincipal, isSessionPrincipal, principalOf } from '../authenticate.js';
import { presentUser, sendTokens } from '../presenters.js';
import { parseBody, registerSchema } from '../validation.js';
import { readCredentials } from './credentials.js';

export interface AuthRouteDependencies {
  readonly registerUser: RegisterUser;
  readonly issueSession: IssueSession;
  readonly refreshSession: RefreshSession;
  readonly endSession: EndSession;
  readonly getCurrentUser: GetCurrentUser;
  /** Authentication middleware per strategy. */
  readonly guard: { readonly local: Middleware; readonly jwt: Middleware; readonly jwtRefresh: Middleware };
}

/** Thin routes: parse and validate, call a use case, serialise. */
export function authRoutes(deps: AuthRouteDependencies): Router {
  const router = new Router({ prefix: '/auth' });

  router.post('/register', async (ctx) => {
    const input = parseBody(registerSchema, ctx.request.body);
    const user = await deps.registerUser.execute(input);
    const tokens = await deps.issueSession.execute({ userId: user.id, userAgent: ctx.get('User-Agent') });
    sendTokens(ctx, 201, tokens);
  });

  router.post('/login', readCredentials, deps.guard.local, async (ctx) => {
    const { userId } = principalOf(ctx.state, isPrincipal);
    const tokens = await deps.issueSession.execute({ userId, userAgent: ctx.get('User-Agent') });
    sendTokens(ctx, 200, tokens);
  });

  router.post('/refresh', deps.guard.jwtRefresh, async (ctx) => {
    const tokens = await deps.refreshSession.execute(principalOf(ctx.state, isRefreshPrincipal));
    sendTokens(ctx, 200, tokens);
  });

  router.post('/logout', deps.guard.jwtRefresh, async (ctx) => {
    await deps.endSession.execute(principalOf(ctx.state, isRefreshPrincipal));
    ctx.status = 204;
  });

  router.get('/me', deps.guard.jwt, async (ctx) => {
    const user = await deps.getCurrentUser.execute(principalOf(ctx.state, isSessionPrincipal));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = presentUser(user);
  });

  return router;
}
