import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './routes/metrics-routes.js';

/**
 * One line per request: id, method, route pattern (never the raw URL: query strings carry OAuth
 * codes, state and link tokens), status, duration and the authenticated user. Nothing from
 * headers or bodies is logged at all, so no Authorization header, cookie, password or token
 * can reach a log line; the logger's redaction list is a second line of defence.
 */
export const accessLog = (logger: Logger, service: ServiceMetrics) => {
  // prom-client hashes a label object on every call; the label-bound children are kept instead,
  // one per method, route and status seen (a bounded set: routes are patterns, not URLs).
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(value: number): void }>();
  const counter = (method: string, route: string, status: string) => {
    const key = `${method} ${route} ${status}`;
    let child = counters.get(key);
    if (!child) counters.set(key, (child = service.requests.labels(method, route, status)));
    return child;
  };
  const timer = (method: string, route: string) => {
    const key = `${method} ${route}`;
    let child = timers.get(key);
    if (!child) timers.set(key, (child = service.duration.labels(method, route)));
    return child;
  };

  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      counter(ctx.method, route, String(ctx.status)).inc();
      timer(ctx.method, route).observe(seconds);
      if (logger.isLevelEnabled('info')) {
        const principal = ctx.state.principal as { userId?: unknown } | undefined;
        logger.info(
          {
            requestId: ctx.state.requestId,
            method: ctx.method,
            route,
            status: ctx.status,
            durationMs: seconds * 1000,
            userId: typeof principal?.userId === 'string' ? principal.userId : undefined,
          },
          'request',
        );
      }
    }
  };
};
