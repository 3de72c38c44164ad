import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ListIdentities, UnlinkIdentity } from '../../../application/providers/identities.js';
import type { LinkedIdentity } from '../../../domain/identity.js';
import { isSessionPrincipal, principalOf } from '../authenticate.js';

export interface IdentityRouteDependencies {
  readonly listIdentities: ListIdentities;
  readonly unlinkIdentity: UnlinkIdentity;
  readonly guard: { readonly jwt: Middleware };
}

export const presentIdentity = (i: LinkedIdentity) => ({
  provider: i.provider,
  login: i.login,
  email: i.email,
  linkedAt: i.createdAt.toISOString(),
});

/** The caller's linked provider identities: listed, and removed one provider at a time. */
export function identityRoutes(deps: IdentityRouteDependencies): Router {
  const router = new Router({ prefix: '/auth/identities' });

  router.get('/', deps.guard.jwt, async (ctx) => {
    const { userId } = principalOf(ctx.state, isSessionPrincipal);
    ctx.body = { identities: (await deps.listIdentities.execute(userId)).map(presentIdentity) };
  });

  router.delete('/:provider', deps.guard.jwt, async (ctx) => {
    const principal = principalOf(ctx.state, isSessionPrincipal);
    await deps.unlinkIdentity.execute({
      userId: principal.userId,
      sessionId: principal.sessionId,
      provider: ctx.params.provider ?? '',
      clientIp: ctx.ip,
      userAgent: ctx.get('User-Agent') || null,
    });
    ctx.status = 204;
  });

  return router;
}
