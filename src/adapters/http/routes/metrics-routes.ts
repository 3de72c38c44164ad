import Router from '@koa/router';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** What the service counts, besides the process metrics. */
export interface ServiceMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
  readonly loginsFailed: Counter;
  readonly refreshReuseDetected: Counter;
  readonly throttled: Counter;
}

let processMetrics: { registry: Registry; service: ServiceMetrics } | undefined;

/** Metrics are per process: one registry however many apps a process builds (tests build many). */
export function metrics(): { registry: Registry; service: ServiceMetrics } {
  if (!processMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    const registers = [registry];
    processMetrics = {
      registry,
      service: {
        requests: new Counter({ name: 'http_requests_total', help: 'Requests by route pattern, method and status', labelNames: ['method', 'route', 'status'], registers }),
        duration: new Histogram({
          name: 'http_request_duration_seconds',
          help: 'Request latency by route pattern',
          labelNames: ['method', 'route'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers,
        }),
        loginsFailed: new Counter({ name: 'auth_logins_failed_total', help: 'Failed password checks (login and password change)', registers }),
        refreshReuseDetected: new Counter({ name: 'auth_refresh_reuse_detected_total', help: 'Replaced refresh tokens presented again (families revoked)', registers }),
        throttled: new Counter({ name: 'auth_throttled_total', help: 'Sign-ins refused with 429 by the throttle', registers }),
      },
    };
  }
  return processMetrics;
}

const registry = () => metrics().registry;

/** GET /metrics in Prometheus' text format. */
export function metricsRoutes(): Router {
  const router = new Router();
  const all = registry();
  router.get('/metrics', async (ctx) => {
    ctx.type = all.contentType;
    ctx.body = await all.metrics();
  });
  return router;
}
