import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

const ACCEPTABLE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Echoes a well-formed X-Request-Id, or makes one; set first so every answer carries it. */
export async function requestId(ctx: Context, next: Next): Promise<void> {
  const offered = ctx.get('X-Request-Id');
  const id = ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  ctx.state.requestId = id;
  ctx.set('X-Request-Id', id);
  await next();
}
