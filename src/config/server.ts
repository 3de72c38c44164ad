import { z } from 'zod';
import { bool, httpUrl, int, optional, type Findings } from './variables.js';

export const serverVariables = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: httpUrl.optional(),
  TRUST_PROXY: bool(false),
  HEADERS_TIMEOUT_SECONDS: int(10, 1, 300),
  REQUEST_TIMEOUT_SECONDS: int(30, 1, 3600),
  MAX_CONNECTIONS: int(10_000, 1, 1_000_000),
  SESSIONS_PER_USER_MAX: int(100, 1, 10_000),
  CORS_ORIGINS: z.string().default(''),
  WEB_APP_URL: optional.pipe(httpUrl.optional()),
  SHUTDOWN_DRAIN_MS: int(0, 0, 120_000),
});

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Where clients reach the service: the OpenAPI server, links it hands out, and https for cookies. */
  readonly publicUrl: string;
  readonly trustProxy: boolean;
  /** Server limits against slow or numerous clients. */
  readonly limits: {
    readonly headersTimeoutSeconds: number;
    readonly requestTimeoutSeconds: number;
    readonly maxConnections: number;
    /** Live sessions per user; a sign-in past it ends the least recently used one. */
    readonly sessionsPerUserMax: number;
  };
  readonly corsOrigins: readonly string[];
  readonly webAppUrl: string;
  /** After SIGTERM, how long to keep serving (with /readyz at 503) before closing the listener. */
  readonly shutdownDrainMs: number;
}

// Addresses that mean "this machine" to a browser on it: a listener on any of them is reached as localhost.
const LOCAL_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']);

/** PUBLIC_URL when it is not set: where a browser on this machine, or beside it, reaches HOST:PORT. */
export function defaultPublicUrl(host: string, port: number): string {
  if (LOCAL_HOSTS.has(host.toLowerCase())) return `http://localhost:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function serverConfig(e: z.output<typeof serverVariables>, findings: Findings): ServerConfig {
  if (e.HEADERS_TIMEOUT_SECONDS > e.REQUEST_TIMEOUT_SECONDS) {
    findings.problems.push('HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS (the headers are part of the request)');
  }
  const publicUrl = e.PUBLIC_URL ?? defaultPublicUrl(e.HOST, e.PORT);
  if (!httpUrl.safeParse(publicUrl).success) {
    findings.problems.push(`PUBLIC_URL is not set and HOST makes no URL of ${publicUrl}: set PUBLIC_URL`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    trustProxy: e.TRUST_PROXY,
    limits: {
      headersTimeoutSeconds: e.HEADERS_TIMEOUT_SECONDS,
      requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS,
      maxConnections: e.MAX_CONNECTIONS,
      sessionsPerUserMax: e.SESSIONS_PER_USER_MAX,
    },
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    webAppUrl: e.WEB_APP_URL ?? publicUrl,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}
