import type { Context, Middleware, Next } from 'koa';
import bodyParser from 'koa-bodyparser';
import { HttpProblemError } from './problem.js';

export const BODY_LIMIT_BYTES = 100 * 1024;

const tooLarge = () => new HttpProblemError('PAYLOAD_TOO_LARGE', 'The request body is larger than 100 KiB');
const invalidJson = () => new HttpProblemError('INVALID_JSON', 'The request body is not valid JSON');

const parseJson = bodyParser({
  enableTypes: ['json'],
  jsonLimit: `${BODY_LIMIT_BYTES}b`,
  // Any JSON value parses; a body that is not an object then fails validation naming `body`.
  strict: false,
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
    throw new HttpProblemError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');
  }
  await parseJson(ctx, next);
};
