import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { readAccessKeys } from './jwt-key-files.js';
import type { AccessKeys, JwtAlgorithm, JwtSecrets } from './jwt-settings.js';
import { optional, type Findings } from './variables.js';

const MIN_SECRET_BYTES = 32;
const ALGORITHMS = ['HS256', 'ES256'] as const satisfies readonly JwtAlgorithm[];

export const jwtVariables = z.object({
  JWT_ACCESS_SECRET: optional,
  JWT_REFRESH_SECRET: optional,
  JWT_ALGORITHM: z.enum(ALGORITHMS, { error: 'must be HS256 or ES256' }).default('HS256'),
  JWT_PRIVATE_KEY_FILE: optional,
  JWT_VERIFY_KEYS_FILE: optional,
  JWT_ISSUER: z.string().min(1).default('auth-api'),
  JWT_AUDIENCE: z.string().min(1).default('auth-api'),
});

/** What the token settings are built from (config/jwt-settings.ts), and the files they came from. */
export interface JwtConfig extends Required<JwtSecrets> {
  readonly privateKeyFile: string | null;
  readonly verifyKeysFile: string | null;
}

/** `production`: a missing or short secret stops the start instead of being replaced by a random one. */
export function jwtConfig(e: z.output<typeof jwtVariables>, production: boolean, findings: Findings): JwtConfig {
  const { problems, warnings } = findings;
  const secret = (name: 'JWT_ACCESS_SECRET' | 'JWT_REFRESH_SECRET', needed: boolean): string => {
    const value = e[name];
    const bytes = value === undefined ? 0 : Buffer.byteLength(value, 'utf8');
    if (value !== undefined && bytes >= MIN_SECRET_BYTES) return value;
    if (!needed) return randomBytes(MIN_SECRET_BYTES).toString('base64url');
    const why = value === undefined ? 'is not set' : `is ${bytes} bytes; at least ${MIN_SECRET_BYTES} are required`;
    if (production) {
      problems.push(`${name} ${why}`);
      return '';
    }
    warnings.push(`${name} ${why}: using a random key for this run only (tokens will not survive a restart)`);
    return randomBytes(MIN_SECRET_BYTES).toString('base64url');
  };
  const es256 = e.JWT_ALGORITHM === 'ES256';
  const accessSecret = secret('JWT_ACCESS_SECRET', !es256);
  const refreshSecret = secret('JWT_REFRESH_SECRET', true);
  if (!es256 && accessSecret !== '' && accessSecret === refreshSecret) {
    problems.push('JWT_REFRESH_SECRET must differ from JWT_ACCESS_SECRET, so one token kind can never stand in for the other');
  }
  let accessKeys: AccessKeys | null = null;
  if (es256 && !e.JWT_PRIVATE_KEY_FILE) {
    problems.push('JWT_PRIVATE_KEY_FILE is required when JWT_ALGORITHM is ES256');
  } else if (es256 && e.JWT_PRIVATE_KEY_FILE) {
    accessKeys = readAccessKeys(e.JWT_PRIVATE_KEY_FILE, e.JWT_VERIFY_KEYS_FILE, findings);
  } else if (e.JWT_PRIVATE_KEY_FILE || e.JWT_VERIFY_KEYS_FILE) {
    warnings.push('JWT_PRIVATE_KEY_FILE and JWT_VERIFY_KEYS_FILE are ignored: JWT_ALGORITHM is HS256');
  }
  return {
    algorithm: e.JWT_ALGORITHM,
    issuer: e.JWT_ISSUER,
    audience: e.JWT_AUDIENCE,
    accessSecret,
    refreshSecret,
    privateKeyFile: e.JWT_PRIVATE_KEY_FILE ?? null,
    verifyKeysFile: e.JWT_VERIFY_KEYS_FILE ?? null,
    accessKeys,
  };
}
