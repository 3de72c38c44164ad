import { z } from 'zod';
import type { SessionPolicy } from '../domain/session.js';
import { int, type Findings } from './variables.js';

export const sessionVariables = z.object({
  ACCESS_TOKEN_TTL: int(900, 1, 86_400),
  REFRESH_TOKEN_TTL: int(2_592_000, 1, 31_536_000),
  SESSION_MAX_AGE: int(7_776_000, 1, 31_536_000),
  REFRESH_REUSE_GRACE_SECONDS: int(10, 0, 300),
});

export function sessionPolicy(e: z.output<typeof sessionVariables>, findings: Findings): SessionPolicy {
  if (e.SESSION_MAX_AGE < e.ACCESS_TOKEN_TTL) {
    findings.warnings.push('SESSION_MAX_AGE is shorter than ACCESS_TOKEN_TTL: access tokens are cut to the session');
  }
  return {
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
    sessionMaxAgeSeconds: e.SESSION_MAX_AGE,
    reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
  };
}
