import { createHash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const LINK_TTL_SECONDS = 300;
const audienceOf = (provider: string) => `provider-link:${provider}`;

const digest = (nonce: string): Buffer => createHash('sha256').update(nonce).digest();

/**
 * A link URL is bound to its user and provider (signed token in the URL) and to the browser that
 * asked for it (a nonce in an HttpOnly cookie): a leaked URL opened elsewhere links nothing.
 */
export function issueLinkToken(key: KeyObject, provider: string, userId: string): { token: string; nonce: string } {
  const nonce = randomBytes(24).toString('base64url');
  const token = jwt.sign({ n: digest(nonce).toString('base64url') }, key, {
    algorithm: 'HS256',
    audience: audienceOf(provider),
    subject: userId,
    expiresIn: LINK_TTL_SECONDS,
  });
  return { token, nonce };
}

/** The user id a link token was issued to, when it is valid and the browser holds its nonce; otherwise null. */
export function verifyLinkToken(key: KeyObject, provider: string, token: string, nonce: string | undefined): string | null {
  if (!nonce) return null;
  try {
    const claims = jwt.verify(token, key, { algorithms: ['HS256'], audience: audienceOf(provider) }) as { sub?: unknown; n?: unknown };
    if (typeof claims.sub !== 'string' || typeof claims.n !== 'string') return null;
    const expected = Buffer.from(claims.n, 'base64url');
    const actual = digest(nonce);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? claims.sub : null;
  } catch {
    return null;
  }
}
