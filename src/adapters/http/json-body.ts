import type { Context, Middleware, Next } from 'koa';
import bodyParser from 'koa-bodyparser';

export const BODY_LIMIT_BYTES = 100 * 1024;

const tooLarge = () => Object.assign(new Error('Payload Too Large'), { status: 413, expose: true });
const invalidJson = () => Object.assign(new Error('Invalid JSON'), { status: 400, expose: true });

const parseJson = bodyParser({
  enableTypes: ['json'],
  jsonLimit: `${BODY_LIMIT_BYTES}b`,
  strict: true,
  extendTypes: { json: ['application/*+json'] },
  // The parser's own errors carry library text; answer with our own, by status only.
  onerror: (err: Error & { status?: number }) => {
    throw err.status === 413 ? tooLarge() : invalidJson();
  },
});

/**
 * JSON only. A body of any other type is refused unread (415), so a cross-site form post
 * can never smuggle a request in; a declared length over the limit is refused before reading,
 * and a chunked body is cut off by the parser at the same limit.
 */
export const jsonBody: Middleware = async function jsonBody(ctx: Context, next: Next) {
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > BODY_LIMIT_BYTES) throw tooLarge();
  const hasBody = ctx.req.headers['transfer-encoding'] !== undefined || declared > 0;
  if (hasBody && !ctx.is('application/json', 'application/*+json')) {
    throw Object.assign(new Error('Unsupported Media Type'), { status: 415, expose: true });
  }
  await parseJson(ctx, next);
};
