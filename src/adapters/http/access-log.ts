import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './routes/metrics-routes.js';

/**
 * One line per request: id, method, route pattern (never the raw URL: query strings carry OAuth
 * codes, state and link tokens), status, duration and the authenticated user. Nothing from
 * headers or bodies is logged at all, so no Authorization header, cookie, password or token
 * can reach a log line; the logger's redaction list is a second line of defence.
 */
export const accessLog = (logger: Logger, service: ServiceMetrics) =>
  async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const principal = ctx.state.principal as { userId?: unknown } | undefined;
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      service.requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      service.duration.observe({ method: ctx.method, route }, seconds);
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
  };

/** Paths pino removes from anything logged, whatever a future log call passes it. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  'password',
  'accessToken',
  'refreshToken',
];
