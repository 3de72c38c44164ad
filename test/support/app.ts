import type { SharedInvalidation } from '../../src/adapters/shared/shared-invalidation.js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type Koa from 'koa';
import { pino, type Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { serveMetrics } from '../../src/adapters/http/metrics-server.js';
import { createHttpServer, serverLimits, type ServerLimits } from '../../src/adapters/http/server.js';
import { InMemoryAccounts } from '../../src/adapters/persistence/memory/in-memory-accounts.js';
import { InMemoryIdentityRepository } from '../../src/adapters/persistence/memory/in-memory-identity-repository.js';
import { InMemoryMailer } from '../../src/adapters/mail/in-memory-mailer.js';
import { InMemoryEmailTokenStore } from '../../src/adapters/persistence/memory/in-memory-email-token-store.js';
import { InMemoryAuditLog } from '../../src/adapters/persistence/memory/in-memory-audit-log.js';
import { InMemoryTotpFactorStore } from '../../src/adapters/persistence/memory/in-memory-totp-factor-store.js';
import { InMemoryPasskeyStore } from '../../src/adapters/persistence/memory/in-memory-passkey-store.js';
import { InMemoryTokenStore } from '../../src/adapters/persistence/memory/in-memory-token-store.js';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import type { QueueingMailer } from '../../src/adapters/mail/queueing-mailer.js';
import type { DetachedWork } from '../../src/adapters/system/detached-work.js';
import { buildContainer, buildHttpApp, type Readiness } from '../../src/composition/container.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { Config } from '../../src/config/env.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import { testConfig } from './config.js';
import { freePort } from './http.js';

export interface TestApp {
  readonly url: string;
  readonly config: Config;
  readonly container: DependencyContainer;
  /** Where METRICS_PORT serves /metrics (started as main starts it), or null when it is not set. */
  readonly metricsUrl: string | null;
  /** The in-memory tables, when persistence is 'memory'. */
  readonly accounts: InMemoryAccounts | null;
  /** Every mail the service handed over, unless `realMailer` (then mail goes where the config says). */
  readonly mailer: InMemoryMailer | null;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment variables on top of the test defaults. */
  readonly env?: Record<string, string>;
  /** 'memory' (default): in-memory stores in a child container; 'database': the knex adapters on env's DATABASE_URL. */
  readonly persistence?: 'memory' | 'database';
  readonly clock?: Clock;
  /** Override what /readyz reports. */
  readonly readiness?: Readiness;
  /** Extra registrations on the child container before the app is built. */
  readonly override?: (container: DependencyContainer) => void;
  /** Listen on this port (default: an ephemeral one). */
  readonly port?: number;
  /** The logger the app writes to (default: silent). */
  readonly logger?: Logger;
  /** Middleware added after the app's own: it sees the requests no route answered, inside the error middleware. */
  readonly extend?: (app: Koa) => void;
  /** Server limits on top of those the config gives (say, a short keep-alive for a test that waits it out). */
  readonly serverLimits?: Partial<ServerLimits>;
  /** The configured mailer (SMTP_URL, or the outbox) instead of an in-memory one; default: when env sets SMTP_URL or MAIL_OUTBOX_DIR. */
  readonly realMailer?: boolean;
}

/** The real Koa app, built by buildContainer, listening on an ephemeral loopback port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.env);
  const parent = buildContainer(config, options.logger ?? pino({ level: 'silent' }));
  const container = parent.createChildContainer();
  let accounts: InMemoryAccounts | null = null;
  if ((options.persistence ?? 'memory') === 'memory') {
    accounts = new InMemoryAccounts();
    container.register(TOKENS.UserRepository, { useValue: new InMemoryUserRepository(accounts) });
    container.register(TOKENS.IdentityRepository, { useValue: new InMemoryIdentityRepository(accounts) });
    container.register(TOKENS.TokenStore, { useValue: new InMemoryTokenStore() });
    container.register(TOKENS.EmailTokenStore, { useValue: new InMemoryEmailTokenStore() });
    container.register(TOKENS.AuditLog, { useValue: new InMemoryAuditLog() });
    container.register(TOKENS.PasskeyStore, { useValue: new InMemoryPasskeyStore(accounts) });
    container.register(TOKENS.TotpFactorStore, { useValue: new InMemoryTotpFactorStore(accounts) });
    container.register(TOKENS.Readiness, { useValue: () => Promise.resolve(true) });
  }
  const realMailer = options.realMailer ?? Boolean(options.env?.SMTP_URL ?? options.env?.MAIL_OUTBOX_DIR);
  const mailer = realMailer ? null : new InMemoryMailer();
  if (mailer) container.register(TOKENS.Mailer, { useValue: mailer });
  if (options.clock) container.register(TOKENS.Clock, { useValue: options.clock });
  if (options.readiness) container.register(TOKENS.Readiness, { useValue: options.readiness });
  options.override?.(container);

  const logger = container.resolve<Logger>(TOKENS.Logger);
  const metricsServer = await serveMetrics(config, logger);
  const koa = buildHttpApp(container);
  options.extend?.(koa);
  const server: Server = createHttpServer(koa, { ...serverLimits(config.limits), ...options.serverLimits });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await metricsServer.close();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    container,
    metricsUrl: metricsServer.url,
    accounts,
    mailer,
    close: () =>
      Promise.all([
        metricsServer.close(),
        container.resolve<SharedInvalidation | null>(TOKENS.SharedInvalidation)?.close(),
        container
          .resolve<DetachedWork>(TOKENS.BackgroundWork)
          .drain()
          .then(() => (realMailer ? container.resolve<QueueingMailer>(TOKENS.Mailer).close() : undefined)),
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
      ]).then(() => undefined),
  };
}

/**
 * A test app the browser opens on http://localhost:<port>: a secure context whose host is a valid
 * RP ID, with PUBLIC_URL and WEB_APP_URL naming it, so passkeys work on the page (docs/passkeys.md).
 */
export async function startLocalhostApp(options: TestAppOptions = {}): Promise<TestApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const app = await startTestApp({ ...options, port, env: { PUBLIC_URL: url, WEB_APP_URL: `${url}/`, ...options.env } });
  return { ...app, url };
}
