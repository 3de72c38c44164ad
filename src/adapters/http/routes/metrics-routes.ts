import Router from '@koa/router';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { HttpProblemError } from '../problem.js';
import { sameSecret } from '../same-secret.js';

/** What the service counts, besides the process metrics. */
export interface ServiceMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
  readonly loginsFailed: Counter;
  readonly refreshReuseDetected: Counter;
  readonly throttled: Counter;
  readonly securityEvents: Counter<'type'>;
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
        securityEvents: new Counter({ name: 'auth_security_events_total', help: 'Security events recorded, by type', labelNames: ['type'], registers }),
      },
    };
  }
  return processMetrics;
}

const registry = () => metrics().registry;

/**
 * Where GET /metrics is served (docs/operations.md): on the main port, open or
 * behind METRICS_TOKEN; only on a port of its own (METRICS_PORT, behind the token when one is
 * set); or nowhere.
 */
export type MetricsExposure =
  | { readonly where: 'main'; readonly token: string | null }
  | { readonly where: 'port'; readonly port: number; readonly token: string | null }
  | { readonly where: 'off' };

/**
 * METRICS_PORT moves the route off the main port; otherwise METRICS_TOKEN guards it there. With
 * neither, it is open in development and off in production. A token that is set is always asked for.
 */
export function metricsExposure(config: { readonly production: boolean; readonly metrics: { readonly token: string | null; readonly port: number | null } }): MetricsExposure {
  const { token, port } = config.metrics;
  if (port !== null) return { where: 'port', port, token };
  if (token !== null || !config.production) return { where: 'main', token };
  return { where: 'off' };
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** GET /metrics in Prometheus' text format; with a token, only for `Authorization: Bearer <token>` (compared in constant time). */
export function metricsRoutes(token: string | null): Router {
  const router = new Router();
  const all = registry();
  router.get('/metrics', async (ctx) => {
    if (token !== null) {
      const presented = BEARER.exec(ctx.get('Authorization'))?.[1] ?? '';
      if (!sameSecret(presented, token)) {
        throw new HttpProblemError('INVALID_METRICS_TOKEN', '/metrics needs Authorization: Bearer <METRICS_TOKEN>');
      }
    }
    ctx.type = all.contentType;
    ctx.body = await all.metrics();
  });
  return router;
}
