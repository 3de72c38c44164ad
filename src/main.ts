import 'reflect-metadata';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { SharedInvalidation } from './adapters/shared/shared-invalidation.js';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { describeError } from './adapters/http/error-middleware.js';
import { serveMetrics } from './adapters/http/metrics-server.js';
import { createHttpServer, serverLimits } from './adapters/http/server.js';
import { createLogger } from './adapters/logging/logger.js';
import { startPruningJob } from './adapters/system/pruning-job.js';
import type { QueueingMailer } from './adapters/mail/queueing-mailer.js';
import type { DetachedWork } from './adapters/system/detached-work.js';
import { buildHttpApp, type Lifecycle } from './composition/container.js';
import type { UseCases } from './composition/use-cases.js';
import { TOKENS } from './composition/tokens.js';
import { ConfigError, loadConfig } from './config/env.js';
import { prepareService } from './start-up.js';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { config } = loaded;
  // Every line is written as it is logged (see adapters/logging): the warnings are the first lines
  // a person sees, and a crash loses nothing that was logged before it.
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, terminal: process.stdout.isTTY === true });
  reportCrashes(logger);

  const container = await prepareService(loaded, logger);
  const db = container.resolve<Knex>(TOKENS.Database);

  // Dead sessions leave the database in small batches; Redis sessions expire by themselves.
  const pruning =
    config.sessionPruneIntervalSeconds > 0
      ? startPruningJob({
          pruneBatch: async (size) => {
            const { pruneSessions, pruneEmailTokens, pruneSecurityEvents } = container.resolve<UseCases>(TOKENS.UseCases);
            return (await pruneSessions.execute(size)) + (await pruneEmailTokens.execute(size)) + (await pruneSecurityEvents.execute(size));
          },
          intervalMs: config.sessionPruneIntervalSeconds * 1000,
          batchSize: 500,
          pauseMs: 50,
          logger,
        })
      : null;

  const app = buildHttpApp(container);
  const metricsServer = await serveMetrics(config, logger);
  const server: Server = createHttpServer(app, serverLimits(config.limits)).listen(config.port, config.host, () => {
    logger.info({ url: `http://${config.host}:${config.port}`, publicUrl: config.publicUrl }, 'auth service listening');
  });

  // SIGTERM: report not ready (so a load balancer stops sending), keep serving for
  // SHUTDOWN_DRAIN_MS, then stop accepting, finish the requests in flight, close the stores.
  const lifecycle = container.resolve<Lifecycle>(TOKENS.Lifecycle);
  const shutdown = (signal: string) => {
    logger.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down');
    lifecycle.draining = true;
    pruning?.stop();
    setTimeout(() => {
      server.close(() => {
        const redis = container.resolve<Redis | null>(TOKENS.Redis);
        const invalidation = container.resolve<SharedInvalidation | null>(TOKENS.SharedInvalidation);
        // Mail still in flight gets its attempt under way finished; pending retries are given up (and logged).
        const finishing = async () => {
          await container.resolve<DetachedWork>(TOKENS.BackgroundWork).drain();
          await container.resolve<QueueingMailer>(TOKENS.Mailer).close();
          await db.destroy();
        };
        Promise.all([finishing(), invalidation?.close(), redis?.quit(), metricsServer.close()]).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
      server.closeIdleConnections();
    }, config.shutdownDrainMs);
    setTimeout(() => process.exit(1), config.shutdownDrainMs + 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** A crash is logged as one fatal line (type, code, message; never a stack or SQL) before the process exits. */
function reportCrashes(logger: Logger): void {
  const crash = (kind: string) => (err: unknown) => {
    logger.fatal({ error: describeError(err) }, `${kind}: the service stops`);
    process.exit(1);
  };
  process.once('uncaughtException', crash('uncaught exception'));
  process.once('unhandledRejection', crash('unhandled rejection'));
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
