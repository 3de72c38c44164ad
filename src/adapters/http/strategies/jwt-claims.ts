import type { Jwt, JwtPayload } from 'jsonwebtoken';
import { verificationKey, type JwtKindSettings } from '../../../config/jwt-settings.js';

export interface VerifiedClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/**
 * Reads the claims of a token jsonwebtoken has already verified (signature, pinned algorithm,
 * iss, aud, exp when present; under ES256 with the key its `kid` names). The header `typ` must be
 * this kind's, so an access token can never be presented as a refresh token or the reverse, even
 * under a misconfigured shared key. `exp`, `sub`, `sid` and `jti` are required (jsonwebtoken
 * accepts a token without `exp` as one that never expires), and a header with `crit` is refused:
 * it names extensions the token must not be accepted without, and none is understood here
 * (RFC 7515 §4.1.11; jsonwebtoken ignores `crit`).
 */
export function readClaims(decoded: unknown, kind: JwtKindSettings): VerifiedClaims | null {
  const complete = decoded as Partial<Jwt> | null;
  if (complete?.header?.typ !== kind.type || complete.header.alg !== kind.algorithm) return null;
  if (Object.hasOwn(complete.header, 'crit')) return null;
  // The key was chosen by this kid before verifying; checked again so no path skips it.
  if (verificationKey(kind, complete.header.kid) === null) return null;
  const payload = complete.payload as JwtPayload | string | undefined;
  if (typeof payload !== 'object') return null;
  const { sub, sid, jti, exp } = payload as { sub?: unknown; sid?: unknown; jti?: unknown; exp?: unknown };
  if (!isNonEmptyString(sub) || !isNonEmptyString(sid) || !isNonEmptyString(jti)) return null;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
  return { userId: sub, sessionId: sid, tokenId: jti, expiresAt: exp };
}
