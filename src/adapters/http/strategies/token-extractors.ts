import type { IncomingHttpHeaders } from 'node:http';
import { COOKIE } from '../cookie-names.js';

/** What the extractors need of a request: Koa's and koa-passport's request objects both fit. */
export interface RequestLike {
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
  readonly cookies?: { get(name: string): string | undefined };
}

export type TokenSource = 'authorization' | 'body' | 'cookie';

export interface PresentedToken {
  readonly token: string;
  readonly source: TokenSource;
}

// Any non-empty credentials after the scheme are a presented token (judged INVALID_TOKEN if bad);
// only a bare `Bearer` counts as no token.
const BEARER = /^Bearer[ \t]+(\S(?:.*\S)?)[ \t]*$/i;
const TOKEN_SHAPE = /^[A-Za-z0-9\-._~+/]+=*$/;

const hasAuthorization = (req: RequestLike): boolean => req.headers.authorization !== undefined;

function fromBearer(req: RequestLike): PresentedToken | null {
  const header = req.headers.authorization;
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  return token === undefined ? null : { token, source: 'authorization' };
}

function fromCookie(req: RequestLike, name: string): PresentedToken | null {
  const token = req.cookies?.get(name);
  return token !== undefined && TOKEN_SHAPE.test(token) ? { token, source: 'cookie' } : null;
}

function fromBody(req: RequestLike): PresentedToken | null {
  const body = req.body;
  if (typeof body !== 'object' || body === null) return null;
  const token = (body as { refreshToken?: unknown }).refreshToken;
  return typeof token === 'string' && token !== '' ? { token, source: 'body' } : null;
}

/**
 * The access token: from `Authorization: Bearer`, else the `access_token` cookie. A request
 * with an Authorization header is judged by it alone; its cookies are ignored.
 */
export const presentedAccessToken = (req: RequestLike): PresentedToken | null =>
  hasAuthorization(req) ? fromBearer(req) : fromCookie(req, COOKIE.access);

/** The refresh token: body `refreshToken`, else `Authorization: Bearer`, else the `refresh_token` cookie. */
export const presentedRefreshToken = (req: RequestLike): PresentedToken | null =>
  fromBody(req) ?? (hasAuthorization(req) ? fromBearer(req) : fromCookie(req, COOKIE.refresh));

/** A passport-jwt extractor from one of the functions above. */
export const extractor =
  (presented: (req: RequestLike) => PresentedToken | null) =>
  (req: unknown): string | null =>
    presented(req as RequestLike)?.token ?? null;
