import { z } from 'zod';
import { bool, int, optional, type Findings } from './variables.js';

const DEVELOPMENT_DATABASE = 'sqlite:data/dev.sqlite3';
const URL_SHAPE = 'must be mysql://user:pass@host:port/db or sqlite:<file>';
const isMysql = (url: string) => /^(mysql|mariadb):\/\//.test(url);

/** A whole number of milliseconds from 0 to `max`, or unset. */
const milliseconds = (max: number) =>
  optional.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number of milliseconds from 0 to ${max}`)
      .transform(Number)
      .pipe(z.number().max(max, `must be at most ${max}`))
      .optional(),
  );

export const databaseVariables = z.object({
  DATABASE_URL: z
    .string()
    .refine((s) => isMysql(s) || /^sqlite:.+/.test(s), URL_SHAPE)
    .optional(),
  DATABASE_PASSWORD: optional,
  MIGRATE_ON_START: bool(true),
  CACHE_TTL_MS: milliseconds(60_000),
  USER_CACHE_TTL_MS: milliseconds(300_000),
  SESSION_PRUNE_INTERVAL_SECONDS: int(600, 0, 86_400),
});

export interface DatabaseConfig {
  /** DATABASE_URL, with DATABASE_PASSWORD in it when that is set (encoded here, so the variable needs no encoding). */
  readonly databaseUrl: string;
  readonly migrateOnStart: boolean;
  /** How long an instance may serve sessions and users from memory (0: never). */
  readonly cacheTtlMs: number;
  /**
   * How long an instance may serve a user from memory (0: never), and whether the instances tell
   * one another of every change (`shared`: through Redis, so none serves a changed user again).
   */
  readonly userCache: { readonly ttlMs: number; readonly shared: boolean };
  /** How often dead sessions are swept from the database (0: never). */
  readonly sessionPruneIntervalSeconds: number;
}

/**
 * The URL with `password` as its password. The password is taken verbatim: encoded here for the
 * URL (an `@`, `/`, `:` or `%` would otherwise end or change it), decoded again where it is used.
 */
function withPassword(databaseUrl: string, password: string): string | null {
  try {
    const url = new URL(databaseUrl);
    url.password = encodeURIComponent(password);
    return url.toString();
  } catch {
    return null;
  }
}

/** `redisUrl`: where sessions live when Redis holds them, which decides whether caching them is safe by default. */
export function databaseConfig(e: z.output<typeof databaseVariables>, redisUrl: string | null, findings: Findings): DatabaseConfig {
  let databaseUrl = e.DATABASE_URL ?? DEVELOPMENT_DATABASE;
  if (e.DATABASE_URL === undefined) {
    findings.warnings.push('DATABASE_URL is not set: using the embedded SQLite file data/dev.sqlite3');
  }
  if (e.DATABASE_PASSWORD !== undefined && !isMysql(databaseUrl)) {
    findings.warnings.push('DATABASE_PASSWORD is ignored: DATABASE_URL is SQLite');
  } else if (e.DATABASE_PASSWORD !== undefined) {
    const url = withPassword(databaseUrl, e.DATABASE_PASSWORD);
    if (url === null) findings.problems.push(`DATABASE_URL: ${URL_SHAPE}`);
    databaseUrl = url ?? databaseUrl;
  }
  // One process owns a SQLite file, so its own invalidations are the whole truth; with a shared
  // MySQL or Redis another instance may end a session, so there the cache stays off unless asked for.
  const cacheTtlMs = e.CACHE_TTL_MS ?? (databaseUrl.startsWith('sqlite:') && !redisUrl ? 1000 : 0);
  if (e.USER_CACHE_TTL_MS !== undefined && !redisUrl) findings.warnings.push('USER_CACHE_TTL_MS is ignored without REDIS_URL: users are cached for CACHE_TTL_MS');
  return {
    databaseUrl,
    migrateOnStart: e.MIGRATE_ON_START,
    cacheTtlMs,
    // With Redis every instance hears every other one's user writes (pub/sub), so the users may
    // stay in memory far longer; the session check still asks Redis on every request.
    userCache: redisUrl ? { ttlMs: e.USER_CACHE_TTL_MS ?? 30_000, shared: true } : { ttlMs: cacheTtlMs, shared: false },
    sessionPruneIntervalSeconds: e.SESSION_PRUNE_INTERVAL_SECONDS,
  };
}
