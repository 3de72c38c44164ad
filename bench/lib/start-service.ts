/** Starting the built service as a user would: NODE_ENV=production, random secrets, pinned to SERVER_CPU. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { startBuiltService, type BuiltService } from '../service.js';
import { ROOT, SERVER_CPU } from './common.js';

/** The built service, and the METRICS_TOKEN it was given (in production /metrics asks for it). */
export type Service = BuiltService & { readonly metricsToken: string };

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

export interface StartOptions {
  readonly databaseUrl: string;
  readonly port: number;
  readonly bcryptCost: number;
  /** More variables, or overrides; an undefined value removes a variable inherited from this process. */
  readonly env?: Record<string, string | undefined>;
}

/** The built service on 127.0.0.1:`port`, ready (/readyz answers 200). */
export async function startService(options: StartOptions): Promise<Service> {
  const metricsToken = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
    JWT_REFRESH_SECRET: randomBytes(48).toString('base64url'),
    BCRYPT_COST: String(options.bcryptCost),
    // Every load request comes from 127.0.0.1: the per-IP failure ceiling must not trip on the
    // harness's own contract checks or wrong passwords (successes never count), nor the per-IP
    // registration ceiling on its registrations, nor the mail allowance of the client those
    // registrations ask verification mails for (they go to a throw-away outbox: no SMTP here).
    LOGIN_IP_MAX_FAILURES: '1000000',
    REGISTER_PER_IP_PER_HOUR: '1000000',
    MAIL_PER_IP_PER_HOUR: '1000000',
    MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'auth-bench-outbox-')),
    METRICS_TOKEN: metricsToken,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return { ...(await startBuiltService(ROOT, env, SERVER_CPU)), metricsToken };
}

/** GET /metrics of `service` (Prometheus text), with its token. */
export async function fetchMetrics(service: Service, init: { signal?: AbortSignal } = {}): Promise<string> {
  const res = await fetch(`${service.url}/metrics`, { ...init, headers: { authorization: `Bearer ${service.metricsToken}` } });
  return res.text();
}
