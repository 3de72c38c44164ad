import type { Context, Middleware, Next } from 'koa';
import type { AuthorizeRole } from '../../application/admin/authorize-role.js';
import { parseRole } from '../../domain/role.js';
import { isSessionPrincipal, principalOf } from './authenticate.js';

/**
 * A role guard, for the service's admin routes and for a deployer's own: after the `jwt` guard
 * (401 for "who are you"), it asks the use case, which reads the user's roles as they are now;
 * lacking the role is 403 FORBIDDEN. The user it found is left in `ctx.state.actor`.
 */
export function roleGuard(authorize: AuthorizeRole, jwt: Middleware, roleName: string): Middleware {
  const role = parseRole(roleName);
  const check = async (ctx: Context, next: Next) => {
    ctx.state.actor = await authorize.execute(principalOf(ctx.state, isSessionPrincipal), role);
    await next();
  };
  return (ctx, next) => jwt(ctx, () => check(ctx, next));
}
