import type { Context, Next } from 'koa';
import { ValidationFailedError } from '../../../domain/errors.js';
import { loginSchema, parseBody } from '../validation.js';

const BASIC = /^Basic[ \t]+([A-Za-z0-9+/]*={0,2})[ \t]*$/i;

/** `Authorization: Basic` of UTF-8 `email:password` (RFC 7617); null when the header is not Basic. */
function basicCredentials(header: string | undefined): { email: string; password: string } | null {
  if (header === undefined || !/^Basic\b/i.test(header)) return null;
  const encoded = BASIC.exec(header)?.[1];
  const decoded = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new ValidationFailedError([{ field: 'authorization', message: 'must be Basic base64(email:password)' }]);
  }
  return { email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Puts the login credentials, checked for presence and type, where the `local` strategy reads
 * them: from a Basic header when there is one (it wins), otherwise from the JSON body.
 */
export async function readCredentials(ctx: Context, next: Next): Promise<void> {
  const basic = basicCredentials(ctx.get('Authorization') || undefined);
  ctx.request.body = parseBody(loginSchema, basic ?? ctx.request.body);
  await next();
}
