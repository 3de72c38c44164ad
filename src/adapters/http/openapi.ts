import { z } from 'zod';
import { PROBLEM_CODES, statusOf } from './problem.js';
import type { WeakPasswordReason } from '../../domain/errors.js';
import { changePasswordSchema, loginSchema, refreshSchema, registerSchema } from './validation.js';

const WEAK_PASSWORD_REASONS = ['common', 'email', 'app_name', 'repeated'] as const satisfies readonly WeakPasswordReason[];
const NEW_PASSWORD_REFUSED = (field: string) =>
  `VALIDATION_FAILED, \`errors\` listing every invalid field; only when every field is valid, PASSWORD_TOO_WEAK with a \`reason\` and \`errors\` naming \`${field}\``;

/** Answer shapes, written once here for the document (the request schemas are the validators themselves). */
const user = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  githubLogin: z.string().nullable(),
  createdAt: z.string().meta({ format: 'date-time' }),
});
const bearerTokens = z.object({
  user,
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().meta({ description: 'Seconds the access token lives.' }),
});
const cookieTokens = z.object({ user, expiresIn: z.number().int() }).meta({ description: 'Cookie mode (X-Auth-Mode: cookie): the tokens are in HttpOnly cookies.' });
const session = z.object({
  id: z.string(),
  createdAt: z.string().meta({ format: 'date-time' }),
  lastUsedAt: z.string().meta({ format: 'date-time' }),
  userAgent: z.string().nullable(),
  device: z.string().nullable().meta({ description: 'A short label read from userAgent, such as "Chrome on macOS" or "curl"; null when nothing in it is recognisable.' }),
  current: z.boolean(),
});
const jwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  kid: z.string().meta({ description: 'RFC 7638 SHA-256 thumbprint of the key (base64url); access tokens name it in their `kid` header.' }),
  alg: z.literal('ES256'),
  use: z.literal('sig'),
});
const jwks = z
  .object({ keys: z.array(jwk) })
  .meta({ description: 'RFC 7517 JWK Set. With JWT_ALGORITHM=ES256: the current signing key first, then earlier keys still accepted. With HS256: empty (the secret is never published).' });
const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z
    .enum(PROBLEM_CODES as [string, ...string[]])
    .meta({ description: `Stable UPPER_SNAKE code; clients match it, never the title or detail. Each is explained in docs/problems.md: ${PROBLEM_CODES.map((c) => `${c} (${statusOf(c)})`).join(', ')}.` }),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  reason: z
    .enum(WEAK_PASSWORD_REASONS)
    .optional()
    .meta({ description: 'PASSWORD_TOO_WEAK only: common (among the 10,000 most common passwords), email (the email or its local part), app_name (APP_NAME), repeated (one character repeated); compared case-insensitively.' }),
});

/** A JSON Schema for an OpenAPI 3.1 document (which names its dialect once, not per schema). */
const schema = (s: z.ZodType): Record<string, unknown> => {
  const converted = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete converted.$schema;
  return converted;
};
const json = (s: z.ZodType) => ({ 'application/json': { schema: schema(s) } });
const problemAnswer = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const tokensAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/BearerTokens' }, { $ref: '#/components/schemas/CookieTokens' }] } } },
});
const bearer = [{ bearer: [] }, { cookie: [] }];

interface Operation {
  readonly summary: string;
  readonly security?: unknown[];
  readonly requestBody?: unknown;
  readonly parameters?: unknown[];
  readonly responses: Record<string, unknown>;
}

const paths: Record<string, Record<string, Operation>> = {
  '/auth/register': {
    post: {
      summary: 'Create an account and sign in (Bearer mode, or cookie mode with X-Auth-Mode: cookie)',
      requestBody: { required: true, content: json(registerSchema) },
      responses: {
        201: tokensAnswer('Signed in'),
        400: problemAnswer(NEW_PASSWORD_REFUSED('password')),
        409: problemAnswer('EMAIL_ALREADY_REGISTERED'),
        429: problemAnswer('TOO_MANY_ATTEMPTS, with Retry-After: REGISTER_PER_IP_PER_HOUR attempts from this address this hour'),
      },
    },
  },
  '/auth/login': {
    post: {
      summary: 'Sign in with email and password (JSON body, or Authorization: Basic, which wins)',
      requestBody: { required: false, content: json(loginSchema) },
      responses: {
        200: tokensAnswer('Signed in'),
        400: problemAnswer('VALIDATION_FAILED'),
        401: problemAnswer('INVALID_CREDENTIALS'),
        429: problemAnswer('TOO_MANY_ATTEMPTS, with Retry-After: the (email, IP) pair, the IP, or the account (LOGIN_ACCOUNT_MAX_FAILURES) is throttled'),
      },
    },
  },
  '/auth/refresh': {
    post: {
      summary: 'Rotate the refresh token: a new access AND refresh token',
      requestBody: { required: false, content: json(refreshSchema) },
      responses: { 200: tokensAnswer('Rotated'), 401: problemAnswer('INVALID_TOKEN'), 403: problemAnswer('CSRF_FAILED (cookie mode)') },
    },
  },
  '/auth/logout': {
    post: {
      summary: 'End the session of this refresh token',
      requestBody: { required: false, content: json(refreshSchema) },
      responses: { 204: { description: 'Ended; cookies cleared' }, 401: problemAnswer('INVALID_TOKEN'), 403: problemAnswer('CSRF_FAILED (cookie mode)') },
    },
  },
  '/auth/logout-all': {
    post: {
      summary: 'End every session of the user',
      security: bearer,
      responses: { 204: { description: 'Ended' }, 401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED'), 403: problemAnswer('CSRF_FAILED (cookie mode)') },
    },
  },
  '/auth/me': {
    get: { summary: 'The signed-in user', security: bearer, responses: { 200: { description: 'The user', content: json(user) }, 401: problemAnswer('TOKEN_MISSING, INVALID_TOKEN or TOKEN_EXPIRED') } },
  },
  '/auth/password': {
    post: {
      summary: 'Change the password: every session ends, this client gets a new one',
      security: bearer,
      requestBody: { required: true, content: json(changePasswordSchema) },
      responses: {
        200: tokensAnswer('Changed; new session'),
        400: problemAnswer(`${NEW_PASSWORD_REFUSED('newPassword')}; both before the current password is checked`),
        401: problemAnswer('INVALID_CREDENTIALS (counts as a failed login) or a token problem'),
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        429: problemAnswer('TOO_MANY_ATTEMPTS, with Retry-After: the pair, the IP or the account is throttled'),
      },
    },
  },
  '/auth/sessions': {
    get: { summary: "The user's live sessions", security: bearer, responses: { 200: { description: 'Sessions, newest first', content: json(z.array(session)) }, 401: problemAnswer('Token problem') } },
  },
  '/auth/sessions/{id}': {
    delete: {
      summary: 'End one of the user\u2019s sessions',
      security: bearer,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 204: { description: 'Ended' }, 401: problemAnswer('Token problem'), 403: problemAnswer('CSRF_FAILED (cookie mode)'), 404: problemAnswer('SESSION_NOT_FOUND') },
    },
  },
  '/auth/github': {
    get: {
      summary: 'Start GitHub sign-in (or a link flow with ?link=)',
      parameters: [{ name: 'link', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { 302: { description: "To GitHub's authorize URL" }, 404: problemAnswer('GITHUB_NOT_CONFIGURED') },
    },
  },
  '/auth/github/callback': {
    get: {
      summary: 'GitHub returns here; signs in by cookie mode',
      responses: {
        302: {
          description:
            'To WEB_APP_URL, signed in; or to WEB_APP_URL?error=<code>, signed out: invalid_state (INVALID_STATE), access_denied, github_unavailable, account_exists (ACCOUNT_EXISTS), already_linked (ALREADY_LINKED), server_error',
        },
        404: problemAnswer('GITHUB_NOT_CONFIGURED'),
      },
    },
  },
  '/auth/github/link': {
    post: {
      summary: 'A URL that links GitHub to the signed-in account, in this browser',
      security: bearer,
      responses: {
        200: { description: 'The URL', content: json(z.object({ url: z.string() })) },
        403: problemAnswer('CSRF_FAILED (cookie mode)'),
        404: problemAnswer('GITHUB_NOT_CONFIGURED'),
      },
    },
  },
  '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Up' } } } },
  '/readyz': { get: { summary: 'Readiness (database, Redis)', responses: { 200: { description: 'Ready' }, 503: problemAnswer('SERVICE_UNAVAILABLE') } } },
  '/metrics': {
    get: {
      summary:
        'Prometheus metrics. Open in development without METRICS_TOKEN; with METRICS_TOKEN it needs Authorization: Bearer <METRICS_TOKEN>; with METRICS_PORT it is served only on that port; in production with neither it is off',
      security: [{ metricsToken: [] }, {}],
      responses: {
        200: { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
        401: problemAnswer('INVALID_METRICS_TOKEN: METRICS_TOKEN is set and the request did not carry it (WWW-Authenticate: Bearer realm="metrics")'),
        404: problemAnswer('NOT_FOUND: served on METRICS_PORT instead, or off (production without METRICS_TOKEN or METRICS_PORT)'),
      },
    },
  },
  '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
  '/.well-known/jwks.json': {
    get: {
      summary: 'Public keys that verify access tokens (ES256), for services that verify on their own; cacheable for a few minutes',
      responses: { 200: { description: 'The JWK Set', content: json(jwks) } },
    },
  },
};

/** Protocol-level problems any request can meet, whatever its route. */
export const ANY_ROUTE_CODES = [
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'BAD_REQUEST',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

/** What the server itself may answer to any request (API.md "Limits"), added to every operation. */
const EVERY_OPERATION = {
  408: problemAnswer('REQUEST_TIMEOUT: the headers (HEADERS_TIMEOUT_SECONDS) or the whole request (REQUEST_TIMEOUT_SECONDS) did not arrive in time; the connection closes'),
};
for (const operations of Object.values(paths)) {
  for (const operation of Object.values(operations)) Object.assign(operation.responses, EVERY_OPERATION);
}

/** The OpenAPI 3.1 document of every route, built from the same zod schemas that validate requests. */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'auth-api',
      version: '0.1.0',
      description: `Email and GitHub sign-in with rotating refresh tokens. Errors are application/problem+json (see the Problem schema; docs/problems.md explains each code). Any route may also answer ${ANY_ROUTE_CODES.join(', ')}.`,
    },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      schemas: { User: schema(user), BearerTokens: schema(bearerTokens), CookieTokens: schema(cookieTokens), Session: schema(session), Problem: schema(problem) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'access_token',
          description: 'Unsafe methods also need X-CSRF-Token equal to the csrf_token cookie, which is bound to the session (403 CSRF_FAILED otherwise).',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for GET /metrics only.' },
      },
    },
  };
}
