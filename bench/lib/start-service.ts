/** Starting the built service as a user would: NODE_ENV=production, random secrets, pinned to SERVER_CPU. */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { startBuiltService, type BuiltService } from '../service.js';
import { ROOT, SERVER_CPU } from './common.js';

export type Service = BuiltService;

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
    // harness's own contract checks or wrong passwords (successes never count).
    LOGIN_IP_MAX_FAILURES: '1000000',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return startBuiltService(ROOT, env, SERVER_CPU);
}
