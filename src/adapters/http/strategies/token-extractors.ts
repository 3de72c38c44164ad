import type { IncomingHttpHeaders } from 'node:http';

interface RequestLike {
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** The token of an `Authorization: Bearer` header (RFC 6750 §2.1), or null. */
export function bearerToken(req: RequestLike): string | null {
  const header = req.headers.authorization;
  return typeof header === 'string' ? (BEARER.exec(header)?.[1] ?? null) : null;
}

/** The body field `refreshToken`, when it is a string. */
export function bodyRefreshToken(req: RequestLike): string | null {
  const body = req.body;
  if (typeof body !== 'object' || body === null) return null;
  const token = (body as { refreshToken?: unknown }).refreshToken;
  return typeof token === 'string' && token !== '' ? token : null;
}

/** The first extractor that finds a token wins. */
export const firstOf =
  (...extractors: ReadonlyArray<(req: RequestLike) => string | null>) =>
  (req: RequestLike): string | null => {
    for (const extract of extractors) {
      const token = extract(req);
      if (token !== null) return token;
    }
    return null;
  };
