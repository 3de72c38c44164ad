import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

export type TokenKind = 'access' | 'refresh';

/** One settings object per token kind: signing and verifying read the same one, so they cannot drift. */
export interface JwtKindSettings {
  readonly key: KeyObject;
  readonly algorithm: 'HS256';
  /** The JOSE header `typ`, checked on verify so one kind can never stand in for the other. */
  readonly type: string;
}

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly access: JwtKindSettings;
  readonly refresh: JwtKindSettings;
  /** Signs short-lived browser-flow state (GitHub state and link cookies); derived, never a token key itself. */
  readonly flowKey: KeyObject;
  /** Keys the digests under which rate-limit counters are stored. */
  readonly counterKey: KeyObject;
}

export interface JwtSecrets {
  readonly issuer: string;
  readonly audience: string;
  readonly accessSecret: string;
  readonly refreshSecret: string;
}

// A KeyObject, not a string: jsonwebtoken otherwise first tries each string as a PEM (~30x slower).
export const jwtSettings = (secrets: JwtSecrets): JwtSettings => ({
  issuer: secrets.issuer,
  audience: secrets.audience,
  access: { key: createSecretKey(Buffer.from(secrets.accessSecret, 'utf8')), algorithm: 'HS256', type: 'at+jwt' },
  refresh: { key: createSecretKey(Buffer.from(secrets.refreshSecret, 'utf8')), algorithm: 'HS256', type: 'rt+jwt' },
  flowKey: createSecretKey(createHmac('sha256', secrets.refreshSecret).update('auth-api browser flow state').digest()),
  counterKey: createSecretKey(createHmac('sha256', secrets.refreshSecret).update('auth-api rate-limit counters').digest()),
});
