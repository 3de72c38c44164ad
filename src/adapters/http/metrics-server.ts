import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import { errorMiddleware } from './error-middleware.js';
import { requestId } from './request-id.js';
import { metrics, metricsExposure, metricsRoutes } from './routes/metrics-routes.js';
import { createHttpServer, serverLimits } from './server.js';

export interface MetricsServer {
  /** Where METRICS_PORT serves /metrics, or null when it is not set. */
  readonly url: string | null;
  close(): Promise<void>;
}

/** What METRICS_PORT serves: /metrics (behind METRICS_TOKEN when set) and problem+json for anything else. */
export function createMetricsApp(token: string | null, logger: Logger): Koa {
  const app = new Koa();
  app.silent = true;
  const router = metricsRoutes(token);
  app.use(requestId);
  app.use(errorMiddleware(logger, metrics().service));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/**
 * Says at start where GET /metrics is served, and when that is METRICS_PORT, starts that server
 * on HOST. main calls it, and so do the tests, so both run what a deployment runs.
 */
export async function serveMetrics(config: Config, logger: Logger): Promise<MetricsServer> {
  const exposure = metricsExposure(config);
  if (exposure.where === 'off') {
    logger.warn({ metrics: 'off' }, 'GET /metrics is off (404): set METRICS_TOKEN to serve it on the main port, or METRICS_PORT');
    return { url: null, close: () => Promise.resolve() };
  }
  if (exposure.where === 'main') {
    if (exposure.token === null) logger.info({ metrics: 'open' }, 'GET /metrics is open on the main port (development without METRICS_TOKEN)');
    else logger.info({ metrics: 'token' }, 'GET /metrics on the main port needs Authorization: Bearer <METRICS_TOKEN>');
    return { url: null, close: () => Promise.resolve() };
  }
  const server: Server = createHttpServer(createMetricsApp(exposure.token, logger), serverLimits(config.limits));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(exposure.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    { metrics: 'port', url, token: exposure.token !== null },
    `GET /metrics is served only on METRICS_PORT${exposure.token === null ? '' : ', with Authorization: Bearer <METRICS_TOKEN>'} (the main port answers 404)`,
  );
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
