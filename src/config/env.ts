import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SessionPolicy } from '../domain/session.js';

/** The only place that reads process.env: everything else receives a validated Config. */

export interface GithubConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly apiUrl: string;
}

export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly trustProxy: boolean;
  readonly databaseUrl: string;
  readonly migrateOnStart: boolean;
  readonly redisUrl: string | null;
  readonly redisKeyPrefix: string;
  readonly jwt: {
    readonly algorithm: 'HS256' | 'ES256';
    readonly issuer: string;
    readonly audience: string;
    readonly accessSecret: string;
    readonly refreshSecret: string;
    readonly privateKeyFile: string | null;
    readonly verifyKeysFile: string | null;
    /** ES256: the signing key and earlier signing keys' public keys, read and checked at start; null under HS256. */
    readonly accessKeys: AccessKeys | null;
  };
  readonly session: SessionPolicy;
  readonly bcryptCost: number;
  readonly throttle: {
    readonly maxFailures: number;
    readonly windowSeconds: number;
    readonly ipMaxFailures: number;
    /** Consecutive failed logins for one email, from all addresses, before its password logins are refused (NIST SP 800-63B §5.2.2). */
    readonly accountMaxFailures: number;
    /** Registration attempts per client IP per hour. */
    readonly registerPerIpPerHour: number;
  };
  /** The product name, in mails, TOTP and the weak-password rule. */
  readonly appName: string;
  /** Server limits against slow or numerous clients. */
  readonly limits: {
    readonly headersTimeoutSeconds: number;
    readonly requestTimeoutSeconds: number;
    readonly maxConnections: number;
    /** Live sessions per user; a sign-in past it ends the least recently used one. */
    readonly sessionsPerUserMax: number;
  };
  /** Who may read /metrics: open (development without a token), a bearer token, a port of its own, or nobody. */
  readonly metrics: {
    readonly token: string | null;
    readonly port: number | null;
  };
  readonly corsOrigins: readonly string[];
  readonly webAppUrl: string;
  readonly github: GithubConfig | null;
  readonly logLevel: string;
  /** `json` lines, `pretty` lines for a person, or null: pretty when stdout is a terminal (main decides). */
  readonly logFormat: 'json' | 'pretty' | null;
  /** How long an instance may serve sessions and users from memory (0: never). */
  readonly cacheTtlMs: number;
  /** After SIGTERM, how long to keep serving (with /readyz at 503) before closing the listener. */
  readonly shutdownDrainMs: number;
  /** How often dead sessions are swept from the database (0: never). */
  readonly sessionPruneIntervalSeconds: number;
}

export interface AccessKeys {
  /** A P-256 private key. */
  readonly signingKey: KeyObject;
  /** P-256 public keys, in the order of the verify file. */
  readonly verifyKeys: readonly KeyObject[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const MIN_SECRET_BYTES = 32;

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .transform((s) => s.trim())
    .pipe(z.string().regex(/^\d+$/, `must be a whole number from ${min} to ${max}`))
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const bool = (def: boolean) =>
  z
    .string()
    .default(String(def))
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
    .transform((s) => s === 'true' || s === '1' || s === 'yes');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const optional = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s));

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.default('http://localhost:3000'),
  TRUST_PROXY: bool(false),
  DATABASE_URL: z
    .string()
    .default('sqlite:data/dev.sqlite3')
    .refine((s) => /^(mysql|mariadb):\/\//.test(s) || /^sqlite:.+/.test(s), 'must be mysql://user:pass@host:port/db or sqlite:<file>'),
  MIGRATE_ON_START: bool(true),
  REDIS_URL: optional.pipe(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional()),
  REDIS_KEY_PREFIX: z.string().default('auth:'),
  JWT_ACCESS_SECRET: optional,
  JWT_REFRESH_SECRET: optional,
  JWT_ALGORITHM: z.enum(['HS256', 'ES256'], { error: 'must be HS256 or ES256' }).default('HS256'),
  JWT_PRIVATE_KEY_FILE: optional,
  JWT_VERIFY_KEYS_FILE: optional,
  JWT_ISSUER: z.string().min(1).default('auth-api'),
  JWT_AUDIENCE: z.string().min(1).default('auth-api'),
  ACCESS_TOKEN_TTL: int(900, 1, 86_400),
  REFRESH_TOKEN_TTL: int(2_592_000, 1, 31_536_000),
  SESSION_MAX_AGE: int(7_776_000, 1, 31_536_000),
  REFRESH_REUSE_GRACE_SECONDS: int(10, 0, 300),
  BCRYPT_COST: int(12, 4, 15),
  LOGIN_MAX_FAILURES: int(5, 1, 1000),
  LOGIN_WINDOW_SECONDS: int(900, 1, 86_400),
  LOGIN_IP_MAX_FAILURES: int(100, 1, 1_000_000),
  LOGIN_ACCOUNT_MAX_FAILURES: int(100, 1, 100),
  REGISTER_PER_IP_PER_HOUR: int(30, 1, 1_000_000),
  HEADERS_TIMEOUT_SECONDS: int(10, 1, 300),
  REQUEST_TIMEOUT_SECONDS: int(30, 1, 3600),
  MAX_CONNECTIONS: int(10_000, 1, 1_000_000),
  SESSIONS_PER_USER_MAX: int(100, 1, 10_000),
  METRICS_TOKEN: optional,
  METRICS_PORT: optional.pipe(z.string().regex(/^\d+$/, 'must be a port number from 1 to 65535').transform(Number).pipe(z.number().int().min(1, 'must be at least 1').max(65_535, 'must be at most 65535')).optional()),
  APP_NAME: z.string().trim().min(1).max(100).default('auth-api'),
  CORS_ORIGINS: z.string().default(''),
  WEB_APP_URL: optional.pipe(httpUrl.optional()),
  GITHUB_CLIENT_ID: optional,
  GITHUB_CLIENT_SECRET: optional,
  GITHUB_CALLBACK_URL: optional.pipe(httpUrl.optional()),
  GITHUB_AUTHORIZE_URL: httpUrl.default('https://github.com/login/oauth/authorize'),
  GITHUB_TOKEN_URL: httpUrl.default('https://github.com/login/oauth/access_token'),
  GITHUB_API_URL: httpUrl.default('https://api.github.com'),
  CACHE_TTL_MS: optional.pipe(z.string().regex(/^\d+$/, 'must be a whole number of milliseconds from 0 to 60000').transform(Number).pipe(z.number().max(60_000, 'must be at most 60000')).optional()),
  SHUTDOWN_DRAIN_MS: int(0, 0, 120_000),
  SESSION_PRUNE_INTERVAL_SECONDS: int(600, 0, 86_400),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: optional.pipe(z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional()),
});

const isP256 = (key: KeyObject): boolean => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';

// RFC 7468 textual encoding: a label between BEGIN and END lines. Text outside blocks is allowed
// (explanatory notes), a boundary without its partner is not (a truncated or mangled file).
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PEM_BOUNDARY = /-----(BEGIN|END) /;

function pemBlocks(text: string): { readonly blocks: readonly { label: string; pem: string }[]; readonly stray: boolean } {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', pem: m[0] }));
  return { blocks, stray: PEM_BOUNDARY.test(text.replace(PEM_BLOCK, '')) };
}

/** A file's text, or why it cannot be read: an error code only, never a library message. */
function readText(path: string): { text: string } | { code: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'unknown error' };
  }
}

/**
 * Reads and checks the ES256 key files at start, so a bad key stops the service before it signs
 * or refuses anything. Problems name the variable and what is wrong; never the key material, nor
 * a crypto library's message (which may quote it).
 */
function readAccessKeys(privateKeyFile: string, verifyKeysFile: string | undefined, problems: string[], warnings: string[]): AccessKeys | null {
  let signingKey: KeyObject | null = null;
  const privateText = readText(privateKeyFile);
  if ('code' in privateText) {
    problems.push(`JWT_PRIVATE_KEY_FILE cannot be read (${privateText.code})`);
  } else {
    const { blocks, stray } = pemBlocks(privateText.text);
    const only = blocks.length === 1 && !stray ? blocks[0] : undefined;
    try {
      // PKCS#8 only ("PRIVATE KEY"): SEC1 ("EC PRIVATE KEY") and encrypted keys are refused, not guessed at.
      const key = only?.label === 'PRIVATE KEY' ? createPrivateKey({ key: only.pem, format: 'pem' }) : null;
      if (key && isP256(key)) signingKey = key;
    } catch {
      // Refused below, without the parser's words.
    }
    if (!signingKey) problems.push('JWT_PRIVATE_KEY_FILE must hold exactly one P-256 (prime256v1) private key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)');
  }

  const verifyKeys: KeyObject[] = [];
  if (verifyKeysFile !== undefined) {
    const verifyText = readText(verifyKeysFile);
    if ('code' in verifyText && verifyText.code === 'ENOENT') {
      warnings.push('JWT_VERIFY_KEYS_FILE names no file: only the current signing key is accepted');
    } else if ('code' in verifyText) {
      problems.push(`JWT_VERIFY_KEYS_FILE cannot be read (${verifyText.code})`);
    } else {
      const { blocks, stray } = pemBlocks(verifyText.text);
      if (stray) problems.push('JWT_VERIFY_KEYS_FILE has a PEM BEGIN or END line without its partner');
      blocks.forEach(({ label, pem }, i) => {
        let key: KeyObject | null = null;
        try {
          key = label === 'PUBLIC KEY' ? createPublicKey({ key: pem, format: 'pem' }) : null;
        } catch {
          // Refused below, without the parser's words.
        }
        if (key && isP256(key)) verifyKeys.push(key);
        else problems.push(`JWT_VERIFY_KEYS_FILE: key ${i + 1} is not a P-256 public key in SPKI PEM (-----BEGIN PUBLIC KEY-----)`);
      });
    }
  }
  return signingKey ? { signingKey, verifyKeys } : null;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Development defaults that were used; main logs each one. */
  readonly warnings: readonly string[];
}

/** Validates the whole environment at once and reports every problem, naming each variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): LoadedConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  const warnings: string[] = [];

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
    accessKeys = readAccessKeys(e.JWT_PRIVATE_KEY_FILE, e.JWT_VERIFY_KEYS_FILE, problems, warnings);
  } else if (e.JWT_PRIVATE_KEY_FILE || e.JWT_VERIFY_KEYS_FILE) {
    warnings.push('JWT_PRIVATE_KEY_FILE and JWT_VERIFY_KEYS_FILE are ignored: JWT_ALGORITHM is HS256');
  }
  if (e.SESSION_MAX_AGE < e.ACCESS_TOKEN_TTL) {
    warnings.push('SESSION_MAX_AGE is shorter than ACCESS_TOKEN_TTL: access tokens are cut to the session');
  }
  if (e.DATABASE_URL === 'sqlite:data/dev.sqlite3' && env.DATABASE_URL === undefined) {
    warnings.push('DATABASE_URL is not set: using the embedded SQLite file data/dev.sqlite3');
  }

  const githubParts = [e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET, e.GITHUB_CALLBACK_URL];
  const githubSet = githubParts.filter((v) => v !== undefined).length;
  if (githubSet > 0 && githubSet < 3) {
    problems.push('GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and GITHUB_CALLBACK_URL must be set together');
  }
  if (e.METRICS_TOKEN !== undefined && Buffer.byteLength(e.METRICS_TOKEN, 'utf8') < 16) {
    problems.push('METRICS_TOKEN must be at least 16 bytes');
  }
  if (e.HEADERS_TIMEOUT_SECONDS > e.REQUEST_TIMEOUT_SECONDS) {
    problems.push('HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS (the headers are part of the request)');
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) {
    problems.push('METRICS_PORT must differ from PORT');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const corsOrigins = e.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const github: GithubConfig | null =
    e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET && e.GITHUB_CALLBACK_URL
      ? {
          clientId: e.GITHUB_CLIENT_ID,
          clientSecret: e.GITHUB_CLIENT_SECRET,
          callbackUrl: e.GITHUB_CALLBACK_URL,
          authorizeUrl: e.GITHUB_AUTHORIZE_URL,
          tokenUrl: e.GITHUB_TOKEN_URL,
          apiUrl: e.GITHUB_API_URL,
        }
      : null;

  return {
    warnings,
    config: {
      production,
      port: e.PORT,
      host: e.HOST,
      publicUrl: e.PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
      databaseUrl: e.DATABASE_URL,
      migrateOnStart: e.MIGRATE_ON_START,
      redisUrl: e.REDIS_URL ?? null,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      jwt: {
        algorithm: e.JWT_ALGORITHM,
        issuer: e.JWT_ISSUER,
        audience: e.JWT_AUDIENCE,
        accessSecret,
        refreshSecret,
        privateKeyFile: e.JWT_PRIVATE_KEY_FILE ?? null,
        verifyKeysFile: e.JWT_VERIFY_KEYS_FILE ?? null,
        accessKeys,
      },
      session: {
        accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
        refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
        sessionMaxAgeSeconds: e.SESSION_MAX_AGE,
        reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
      },
      bcryptCost: e.BCRYPT_COST,
      throttle: {
        maxFailures: e.LOGIN_MAX_FAILURES,
        windowSeconds: e.LOGIN_WINDOW_SECONDS,
        ipMaxFailures: e.LOGIN_IP_MAX_FAILURES,
        accountMaxFailures: e.LOGIN_ACCOUNT_MAX_FAILURES,
        registerPerIpPerHour: e.REGISTER_PER_IP_PER_HOUR,
      },
      appName: e.APP_NAME,
      limits: {
        headersTimeoutSeconds: e.HEADERS_TIMEOUT_SECONDS,
        requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS,
        maxConnections: e.MAX_CONNECTIONS,
        sessionsPerUserMax: e.SESSIONS_PER_USER_MAX,
      },
      metrics: { token: e.METRICS_TOKEN ?? null, port: e.METRICS_PORT ?? null },
      corsOrigins,
      webAppUrl: e.WEB_APP_URL ?? e.PUBLIC_URL,
      github,
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT ?? null,
      shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
      sessionPruneIntervalSeconds: e.SESSION_PRUNE_INTERVAL_SECONDS,
      // One process owns a SQLite file, so its own invalidations are the whole truth; with a shared
      // MySQL or Redis another instance may end a session, so there the cache stays off unless asked for.
      cacheTtlMs: e.CACHE_TTL_MS ?? (e.DATABASE_URL.startsWith('sqlite:') && !e.REDIS_URL ? 1000 : 0),
    },
  };
}
