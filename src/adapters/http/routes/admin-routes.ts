import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { EndUserSessions } from '../../../application/admin/end-user-sessions.js';
import type { EraseUser } from '../../../application/admin/erase-user.js';
import type { GetUserDetails } from '../../../application/admin/get-user-details.js';
import type { ListSecurityEvents } from '../../../application/admin/list-security-events.js';
import type { SearchUsers } from '../../../application/admin/search-users.js';
import type { UpdateUser } from '../../../application/admin/update-user.js';
import { ValidationFailedError } from '../../../domain/errors.js';
import { parseRoles } from '../../../domain/role.js';
import { SECURITY_EVENT_TYPES, type SecurityEventType } from '../../../domain/security-event.js';
import type { User, UserChanges } from '../../../domain/user.js';
import type { DisplayName } from '../../../domain/display-name.js';
import { isSessionPrincipal, principalOf } from '../authenticate.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { presentAdminUser, presentEvent } from '../presenters.js';
import { parseBody, updateUserSchema } from '../validation.js';

export interface AdminRouteDependencies {
  readonly searchUsers: SearchUsers;
  readonly getUserDetails: GetUserDetails;
  readonly updateUser: UpdateUser;
  readonly eraseUser: EraseUser;
  readonly endUserSessions: EndUserSessions;
  readonly listSecurityEvents: ListSecurityEvents;
  /** `jwt`, then the role guard for `admin`. */
  readonly admin: Middleware;
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function queryText(ctx: Context, field: string, max: number): string | undefined {
  const raw = ctx.query[field];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length > max) throw new ValidationFailedError([{ field, message: `must be one value of at most ${max} characters` }]);
  return raw;
}

/** Who acted and from where, for the event the use case writes. */
const actor = (ctx: Context) => ({ actorId: principalOf(ctx.state, isSessionPrincipal).userId, ip: ctx.ip, userAgent: ctx.get('User-Agent') || null });

/** The admin API: every route behind `jwt` and the `admin` role guard. */
export function adminRoutes(deps: AdminRouteDependencies): Router {
  const router = new Router({ prefix: '/admin' });
  router.use(deps.admin);

  router.get('/users', async (ctx) => {
    const cursor = queryText(ctx, 'cursor', 200);
    const q = queryText(ctx, 'q', 254)?.trim();
    const limit = pageLimit(one(ctx.query.limit));
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = await deps.searchUsers.execute({
      ...(q ? { q } : {}),
      ...(after ? { after: { createdAt: after.at, id: after.id } } : {}),
      limit,
    });
    ctx.body = { users: page.users.map(presentAdminUser), nextCursor: page.next ? encodeCursor(page.next.createdAt, page.next.id) : null };
  });

  router.get('/users/:id', async (ctx) => {
    const details = await deps.getUserDetails.execute(ctx.params.id ?? '');
    ctx.body = { ...presentAdminUser(details.user), sessions: details.sessions, identities: details.identities };
  });

  router.patch('/users/:id', async (ctx) => {
    const body = parseBody(updateUserSchema, ctx.request.body);
    const changes: UserChanges = {
      ...(body.roles === undefined ? {} : { roles: parseRoles(body.roles) }),
      ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
      ...(body.name === undefined ? {} : { name: body.name as DisplayName | null }),
      ...(body.emailVerified === undefined ? {} : { emailVerified: body.emailVerified }),
    };
    const user: User = await deps.updateUser.execute({ ...actor(ctx), userId: ctx.params.id ?? '', changes });
    ctx.body = presentAdminUser(user);
  });

  router.delete('/users/:id', async (ctx) => {
    await deps.eraseUser.execute({ ...actor(ctx), userId: ctx.params.id ?? '' });
    ctx.status = 204;
  });

  router.delete('/users/:id/sessions', async (ctx) => {
    await deps.endUserSessions.execute({ ...actor(ctx), userId: ctx.params.id ?? '' });
    ctx.status = 204;
  });

  router.get('/events', async (ctx) => {
    const cursor = queryText(ctx, 'cursor', 200);
    const userId = queryText(ctx, 'userId', 64);
    const type = queryText(ctx, 'type', 40);
    if (type !== undefined && !(SECURITY_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new ValidationFailedError([{ field: 'type', message: 'is not a security event type' }]);
    }
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = await deps.listSecurityEvents.execute({
      ...(userId ? { userId } : {}),
      ...(type ? { type: type as SecurityEventType } : {}),
      ...(after ? { after } : {}),
      limit: pageLimit(one(ctx.query.limit)),
    });
    ctx.body = { events: page.events.map(presentEvent), nextCursor: page.next ? encodeCursor(page.next.at, page.next.id) : null };
  });

  return router;
}
