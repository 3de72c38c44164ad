import type { Context, Next } from 'koa';
import { HttpProblemError } from './problem.js';

const hostHeaders = (rawHeaders: readonly string[]): number => {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === 'host') count++;
  return count;
};

/**
 * RFC 9112 §3.2: an HTTP/1.1 request with no Host header, or with more than one, is answered 400.
 * Node's own check answers a bare 400 with no request id, so the server turns it off
 * (`requireHostHeader: false`) and this answers it as a problem like any other.
 */
export async function requireHost(ctx: Context, next: Next): Promise<void> {
  const { httpVersionMajor, httpVersionMinor, rawHeaders } = ctx.req;
  if (httpVersionMajor === 1 && httpVersionMinor >= 1 && hostHeaders(rawHeaders) !== 1) {
    throw new HttpProblemError('BAD_REQUEST', 'An HTTP/1.1 request must carry exactly one Host header');
  }
  await next();
}
