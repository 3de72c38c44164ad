import Router from '@koa/router';
import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/** Process metrics (CPU, memory, event-loop delay, GC) are per process: one registry however many apps it builds. */
function registry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

/** GET /metrics in Prometheus' text format. */
export function metricsRoutes(): Router {
  const router = new Router();
  const metrics = registry();
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  return router;
}
