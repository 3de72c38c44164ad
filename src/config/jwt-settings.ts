import { createHash, createHmac, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The one token-settings object: signing (adapters/crypto) and verifying (the HTTP strategies) both
 * read it, so algorithms, keys, issuer and audience cannot drift apart. Built once at start from
 * the validated JWT configuration.
 */

export type TokenKind = 'access' | 'refresh';

/** HS256: one shared secret signs and verifies. */
export interface HmacKindSettings {
  readonly algorithm: 'HS256';
  readonly key: KeyObject;
  /** The JOSE header `typ`, checked on verify so one kind can never stand in for the other. */
  readonly type: string;
  readonly keyId: null;
}

/** ES256: a private key signs; the current and earlier public keys verify, chosen by `kid`. */
export interface EcKindSettings {
  readonly algorithm: 'ES256';
  /** The private signing key. */
  readonly key: KeyObject;
  readonly type: string;
  /** The `kid` header of every new token: the signing key's RFC 7638 thumbprint. */
  readonly keyId: string;
  /** Every public key still accepted (the signing key's and earlier ones), by thumbprint. */
  readonly verifyKeys: ReadonlyMap<string, KeyObject>;
}

/** One settings object per token kind: signing and verifying read the same one, so they cannot drift. */
export type JwtKindSettings = HmacKindSettings | EcKindSettings;

/** A public key as published in a JWK Set (RFC 7517), `kid` being its RFC 7638 thumbprint. */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly access: JwtKindSettings;
  /** Refresh tokens are only ever read by this service: always HS256, whatever the access tokens use. */
  readonly refresh: HmacKindSettings;
  /**
   * What GET /.well-known/jwks.json publishes: under ES256 the current key first, then earlier
   * ones. Under HS256 it is empty: the access secret is symmetric, so publishing it would let
   * anyone mint tokens; services that verify on their own need ES256.
   */
  readonly jwks: readonly PublicJwk[];
  /** Signs short-lived browser-flow state (GitHub state and link cookies); derived, never a token key itself. */
  readonly flowKey: KeyObject;
  /** Keys the digests under which rate-limit counters are stored. */
  readonly counterKey: KeyObject;
  /** Makes each session's CSRF token, an HMAC of its id (docs/http-api.md: the token is bound to the session). */
  readonly csrfKey: KeyObject;
}

/** The access-token algorithms this service signs with. */
export type JwtAlgorithm = JwtKindSettings['algorithm'];

/** ES256 access-token keys, already read and checked at start (config/jwt-key-files.ts). */
export interface AccessKeys {
  /** A P-256 private key. */
  readonly signingKey: KeyObject;
  /** P-256 public keys of earlier signing keys, in the order of the verify file, still accepted until their tokens expire. */
  readonly verifyKeys: readonly KeyObject[];
}

export interface JwtSecrets {
  readonly issuer: string;
  readonly audience: string;
  /** Absent: HS256. */
  readonly algorithm?: JwtAlgorithm;
  /** Unused under ES256. */
  readonly accessSecret: string;
  readonly refreshSecret: string;
  /** ES256: the signing key and earlier signing keys' public keys, read and checked at start; required under ES256, ignored (null) under HS256. */
  readonly accessKeys?: AccessKeys | null;
}

export const isP256 = (key: KeyObject): boolean => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';

/**
 * RFC 7638 JWK thumbprint with SHA-256, base64url: the required members of an EC key (crv, kty,
 * x, y), in lexicographic order, without whitespace (§3.2), hashed as UTF-8.
 */
export function jwkThumbprint(jwk: { readonly crv: string; readonly kty: string; readonly x: string; readonly y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** The public JWK of a P-256 key (a private key gives its public half; `d` is never exported). */
export function publicJwk(key: KeyObject): PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.type !== 'public' || !isP256(publicKey)) throw new TypeError('ES256 needs a P-256 key');
  const { x, y } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string' || typeof y !== 'string') throw new TypeError('ES256 needs a P-256 key');
  const members = { kty: 'EC', crv: 'P-256', x, y } as const;
  return { ...members, kid: jwkThumbprint(members), alg: 'ES256', use: 'sig' };
}

function ecAccess(keys: AccessKeys): { settings: EcKindSettings; jwks: PublicJwk[] } {
  if (keys.signingKey.type !== 'private' || !isP256(keys.signingKey)) throw new TypeError('the ES256 signing key must be a P-256 private key');
  const current = publicJwk(keys.signingKey);
  const verifyKeys = new Map<string, KeyObject>([[current.kid, createPublicKey(keys.signingKey)]]);
  const jwks: PublicJwk[] = [current];
  for (const key of keys.verifyKeys) {
    const jwk = publicJwk(key);
    // The same key listed twice (say, the current one also in the verify file) is published once.
    if (verifyKeys.has(jwk.kid)) continue;
    verifyKeys.set(jwk.kid, key);
    jwks.push(jwk);
  }
  return { settings: { algorithm: 'ES256', key: keys.signingKey, type: 'at+jwt', keyId: current.kid, verifyKeys }, jwks };
}

/**
 * The key that may verify a token of this kind whose header names `kid`, or null when there is
 * none (ES256 with a missing or unknown kid). HS256 has one key and ignores `kid`.
 */
export function verificationKey(kind: JwtKindSettings, kid: unknown): KeyObject | null {
  if (kind.algorithm === 'HS256') return kind.key;
  return typeof kid === 'string' ? (kind.verifyKeys.get(kid) ?? null) : null;
}

// A KeyObject, not a string: jsonwebtoken otherwise first tries each string as a PEM (~30x slower).
export const jwtSettings = (secrets: JwtSecrets): JwtSettings => {
  const hmac = (secret: string, type: string): HmacKindSettings => ({ algorithm: 'HS256', key: createSecretKey(Buffer.from(secret, 'utf8')), type, keyId: null });
  if (secrets.algorithm === 'ES256' && !secrets.accessKeys) throw new TypeError('ES256 access tokens need accessKeys');
  const ec = secrets.algorithm === 'ES256' && secrets.accessKeys ? ecAccess(secrets.accessKeys) : null;
  return {
    issuer: secrets.issuer,
    audience: secrets.audience,
    access: ec?.settings ?? hmac(secrets.accessSecret, 'at+jwt'),
    refresh: hmac(secrets.refreshSecret, 'rt+jwt'),
    jwks: ec?.jwks ?? [],
    flowKey: createSecretKey(createHmac('sha256', secrets.refreshSecret).update('auth-api browser flow state').digest()),
    counterKey: createSecretKey(createHmac('sha256', secrets.refreshSecret).update('auth-api rate-limit counters').digest()),
    csrfKey: createSecretKey(createHmac('sha256', secrets.refreshSecret).update('auth-api csrf tokens').digest()),
  };
};
