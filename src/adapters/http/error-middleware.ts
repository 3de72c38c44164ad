import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { DomainError, MfaRequiredError, PasswordTooWeakError, RefreshTokenReusedError, TooManyAttemptsError, TooManyEmailsError } from '../../domain/errors.js';
import type { ServiceMetrics } from './routes/metrics-routes.js';
import { logSafe } from './log-safe.js';
import { HttpProblemError, problem, wwwAuthenticate, type HttpErrorCode, type Problem } from './problem.js';

/** Errors raised by koa, the body parser and the router carry an HTTP status; map the ones a client can cause. */
const HTTP_STATUS_CODES: Record<number, HttpErrorCode> = {
  400: 'INVALID_JSON',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  // The router's 501 for a method it does not know: the client's doing, so a 4xx, never a 5xx.
  501: 'METHOD_NOT_ALLOWED',
};

const DETAILS: Partial<Record<HttpErrorCode, string>> = {
  INVALID_JSON: 'The request body is not valid JSON',
  PAYLOAD_TOO_LARGE: 'The request body is larger than 100 KiB',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request body as application/json',
  METHOD_NOT_ALLOWED: 'This method is not allowed on this resource',
  NOT_FOUND: 'No such resource',
  INTERNAL_ERROR: 'Something went wrong on our side',
};

function toProblem(err: unknown): Problem {
  if (err instanceof HttpProblemError) return problem(err.code, err.detail);
  if (err instanceof PasswordTooWeakError) return problem(err.code, err.message, err.errors, { reason: err.reason });
  if (err instanceof MfaRequiredError) return problem(err.code, err.message, undefined, { mfaToken: err.mfaToken, methods: [...err.methods] });
  if (err instanceof DomainError) {
    const errors = 'errors' in err ? (err as { errors: Problem['errors'] }).errors : undefined;
    return problem(err.code, err.message, errors);
  }
  const status = (err as { status?: unknown; expose?: unknown } | null)?.status;
  const expose = (err as { expose?: unknown } | null)?.expose;
  if (typeof status === 'number' && expose === true && HTTP_STATUS_CODES[status]) {
    const code = HTTP_STATUS_CODES[status];
    return problem(code, DETAILS[code] ?? '');
  }
  return problem('INTERNAL_ERROR', DETAILS.INTERNAL_ERROR ?? '');
}

const SQL = /\b(select|insert|update|delete|from|where|values)\b/i;

/**
 * What a log line may say of an unexpected error: its type, code and a message with no SQL and
 * no stack (driver messages often embed the statement and its values). The request id ties it
 * to the answer the client got. Each part may carry outside text (an OAuth error's code and
 * message are a provider's `error` and `error_description`), so each goes through logSafe().
 */
export function describeError(err: unknown): { type: string; code?: string; message: string } {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return {
    type: logSafe(typeof e?.name === 'string' ? e.name : typeof err),
    ...(typeof e?.code === 'string' ? { code: logSafe(e.code) } : {}),
    message: SQL.test(message) ? 'database error (statement withheld)' : logSafe(message),
  };
}

/** What an outage log line says of the driver error behind it: its type and code, never its text (hosts, ports, statements). */
function outageCause(err: unknown): { type: string; code?: string } {
  const { type, code } = describeError(err);
  return code === undefined ? { type } : { type, code };
}

/**
 * The one place that writes error bodies. Domain errors keep their own message (written for
 * clients); anything unexpected becomes a generic 500, and the log gets describeError() of it.
 */
export const errorMiddleware = (logger: Logger, service: ServiceMetrics) =>
  async function problems(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      // Unmatched routes (404) and the router's 405/501 leave an empty error answer: give it a body.
      if (ctx.status >= 400 && ctx.body == null) {
        throw Object.assign(new Error(String(ctx.status)), { status: ctx.status, expose: true });
      }
    } catch (err) {
      const body = toProblem(err);
      if (body.code === 'INVALID_CREDENTIALS') service.loginsFailed.inc();
      else if (body.code === 'TOO_MANY_ATTEMPTS' || body.code === 'TOO_MANY_EMAILS') service.throttled.inc();
      else if (err instanceof RefreshTokenReusedError) service.refreshReuseDetected.inc();
      if (body.code === 'INTERNAL_ERROR') {
        logger.error({ error: describeError(err), requestId: ctx.state.requestId }, 'unhandled error');
      } else if (body.code === 'SERVICE_UNAVAILABLE') {
        const cause = (err as { cause?: unknown }).cause;
        logger.warn({ requestId: ctx.state.requestId, detail: body.detail, ...(cause ? { cause: outageCause(cause) } : {}) }, 'dependency unavailable');
      }
      // A cookie set before the failure must not ride out on the error answer.
      ctx.remove('Set-Cookie');
      ctx.status = body.status;
      ctx.type = 'application/problem+json';
      ctx.body = body;
      ctx.set('Cache-Control', 'no-store');
      if (err instanceof TooManyAttemptsError || err instanceof TooManyEmailsError) ctx.set('Retry-After', String(err.retryAfterSeconds));
      const challenge = wwwAuthenticate(body.code);
      if (challenge) ctx.set('WWW-Authenticate', challenge);
    }
  };
