import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { optional, type Findings } from './variables.js';

export const mfaVariables = z.object({
  MFA_ENCRYPTION_KEY: optional,
});

export interface MfaConfig {
  /** The AES-256-GCM key TOTP secrets are sealed with (32 bytes). */
  readonly encryptionKey: Buffer;
  /** False when it is a random key of this start (development) or none at all (production: enrolment off). */
  readonly keyConfigured: boolean;
  /** Production without a key: enrolment answers 503 MFA_UNAVAILABLE. */
  readonly enrolmentAvailable: boolean;
}

/** 32 bytes as 64 hex digits, or as base64url (43 characters, padding allowed); null otherwise. */
export function parseMfaKey(raw: string): Buffer | null {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/=$/, ''), 'base64url');
    return key.length === 32 ? key : null;
  }
  return null;
}

/**
 * MFA_ENCRYPTION_KEY: required to enrol TOTP in production; in development a random key per start,
 * with a warning (secrets sealed with it do not open after a restart: the start-up check says so).
 */
export function mfaConfig(e: z.output<typeof mfaVariables>, production: boolean, { problems, warnings }: Findings): MfaConfig {
  if (e.MFA_ENCRYPTION_KEY !== undefined) {
    const key = parseMfaKey(e.MFA_ENCRYPTION_KEY);
    if (key) return { encryptionKey: key, keyConfigured: true, enrolmentAvailable: true };
    problems.push('MFA_ENCRYPTION_KEY must be 32 bytes: 64 hex digits, or 43 base64url characters (e.g. `openssl rand -hex 32`)');
  }
  if (production) {
    warnings.push('TOTP enrolment is off (POST /auth/mfa/totp answers 503 MFA_UNAVAILABLE): MFA_ENCRYPTION_KEY is not set');
    return { encryptionKey: randomBytes(32), keyConfigured: false, enrolmentAvailable: false };
  }
  warnings.push('MFA_ENCRYPTION_KEY is not set: TOTP secrets are sealed with a random key of this start (development only); set it to keep TOTP working across restarts');
  return { encryptionKey: randomBytes(32), keyConfigured: false, enrolmentAvailable: true };
}
