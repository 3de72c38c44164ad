import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from '../support/config.js';
import { bearer, call, GOOD_PASSWORD, type ApiResponse } from '../support/http.js';

/** Assertions and token tools shared by the HTTP suites (the contract is docs/ and the OpenAPI document). */

export const ACCESS_TYP = 'at+jwt';
export const REFRESH_TYP = 'rt+jwt';
export const ISSUER = 'auth-api';
export const AUDIENCE = 'auth-api';
export { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET };

/** Throttling limits high enough that suites making many failed logins (or registrations) on purpose never meet a 429. */
export const NO_THROTTLE: Record<string, string> = { LOGIN_MAX_FAILURES: '1000', LOGIN_IP_MAX_FAILURES: '1000000', REGISTER_PER_IP_PER_HOUR: '1000000' };

export const USER_KEYS = ['id', 'email', 'emailVerified', 'name', 'githubLogin', 'roles', 'mfa', 'createdAt'] as const;
export const TOKEN_ANSWER_KEYS = ['user', 'accessToken', 'refreshToken', 'tokenType', 'expiresIn'] as const;

export interface TokenAnswer {
  user: { id: string; email: string | null; emailVerified: boolean; name: string | null; githubLogin: string | null; roles: string[]; mfa: { totp: boolean; passkeys: number }; createdAt: string };
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ field: string; message: string }>;
}

/** Every error is application/problem+json `{ type, title, status, detail, code }` with the given status and code. */
export function expectProblem(res: ApiResponse, status: number, code?: string | readonly string[]): Problem {
  expect(res.status, `status (body: ${res.text})`).to.equal(status);
  expect(res.headers.get('content-type') ?? '').to.match(/^application\/problem\+json\b/);
  const body = res.body as Problem;
  expect(body, 'problem body').to.be.an('object');
  expect(body.type).to.be.a('string').and.not.equal('');
  expect(body.title).to.be.a('string').and.not.equal('');
  expect(body.detail).to.be.a('string');
  expect(body.status).to.equal(status);
  expect(body.code).to.be.a('string').and.match(/^[A-Z][A-Z0-9_]*$/);
  if (typeof code === 'string') expect(body.code).to.equal(code);
  else if (code) expect(code).to.include(body.code);
  expectNoLeak(res);
  return body;
}

export const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** An X-Request-Id header is present and well formed (chai's match alone would accept null as "null"). */
export function expectRequestId(value: string | string[] | null | undefined, label = 'X-Request-Id'): string {
  expect(value, label).to.be.a('string');
  expect(value as string, label).to.match(REQUEST_ID);
  return value as string;
}

/** A 401 on a presented token: INVALID_TOKEN (or TOKEN_EXPIRED) with the RFC 6750 `invalid_token` challenge. */
export function expectInvalidToken(res: ApiResponse, code = 'INVALID_TOKEN'): Problem {
  const body = expectProblem(res, 401, code);
  expect(res.headers.get('www-authenticate')).to.equal('Bearer error="invalid_token"');
  return body;
}

/** The fields a VALIDATION_FAILED answer names, by JSON property name. */
export function expectValidationFailed(res: ApiResponse, fields: readonly string[]): Problem {
  const body = expectProblem(res, 400, 'VALIDATION_FAILED');
  expect(body.errors, 'errors[]').to.be.an('array');
  const named = (body.errors ?? []).map((e) => e.field);
  for (const e of body.errors ?? []) {
    expect(e.field).to.be.a('string');
    expect(e.message).to.be.a('string').and.not.equal('');
  }
  expect([...new Set(named)].sort()).to.deep.equal([...fields].sort());
  return body;
}

const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack frame', /\bat [^\s]+ \(|\bat (file:|node:|\/)[^\s]*:\d+/],
  ['a source path', /\/(src|test|dist)\/[^\s"]*\.(ts|js)\b|\.ts:\d+/],
  ['node_modules', /node_modules/],
  ['SQL', /\b(select|insert|update|delete)\b[\s\S]{0,60}\b(from|into|set|where)\b|SQLITE_|\bER_[A-Z_]{3,}|sqlite3|mysql|knex/i],
  ['a library message', /jsonwebtoken|jwt malformed|invalid signature|passport|zod|koa-bodyparser|Unexpected token|SyntaxError|TypeError|ReferenceError/i],
  ['a bcrypt hash', /\$2[aby]\$\d\d\$/],
];

/** Never a stack trace, a SQL message, a library's internal text or a password hash (for answers that carry no token). */
export function expectNoLeak(res: ApiResponse): void {
  for (const [what, pattern] of LEAKS) {
    expect(pattern.test(res.text), `${what} in the answer: ${res.text.slice(0, 300)}`).to.equal(false);
  }
}

const SECRET_KEY = /hash|password|secret|salt|digest|version|tokenid|private/i;

/** Every key path of a JSON value whose name suggests something secret. */
export function secretKeysIn(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretKeysIn(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(SECRET_KEY.test(k) ? [`${path}.${k}`] : []),
    ...secretKeysIn(v, `${path}.${k}`),
  ]);
}

/** The Bearer-mode token answer's shape, with `Cache-Control: no-store`. */
export function expectTokenAnswer(res: ApiResponse, status: number): TokenAnswer {
  expect(res.status, `status (body: ${res.text})`).to.equal(status);
  expect(res.headers.get('content-type') ?? '').to.match(/^application\/json\b/);
  expect(res.headers.get('cache-control') ?? '').to.match(/\bno-store\b/);
  const body = res.body as TokenAnswer;
  expect(body).to.include.keys(...TOKEN_ANSWER_KEYS);
  expectUser(body.user);
  expect(body.accessToken).to.be.a('string').and.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(body.refreshToken).to.be.a('string').and.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(body.accessToken).to.not.equal(body.refreshToken);
  expect(body.tokenType).to.equal('Bearer');
  expect(body.expiresIn).to.be.a('number');
  expect(secretKeysIn(body)).to.deep.equal([]);
  expect(res.text, 'a bcrypt hash in the answer').to.not.match(/\$2[aby]\$\d\d\$/);
  return body;
}

/** The user object: `{ id, email, emailVerified, name, githubLogin, roles, createdAt }`, null where unknown, nothing secret. */
export function expectUser(user: unknown): asserts user is TokenAnswer['user'] {
  expect(user).to.be.an('object');
  const u = user as Record<string, unknown>;
  expect(u).to.include.keys(...USER_KEYS);
  expect(u.id).to.be.a('string').and.not.equal('');
  for (const key of ['email', 'name', 'githubLogin'] as const) {
    expect(u[key] === null || typeof u[key] === 'string', `${key} is a string or null`).to.equal(true);
  }
  expect(u.emailVerified).to.be.a('boolean');
  expect(u.roles).to.be.an('array');
  expect(u.createdAt).to.be.a('string');
  expect(new Date(u.createdAt as string).toISOString()).to.equal(u.createdAt);
  expect(secretKeysIn(u)).to.deep.equal([]);
}

// ---------------------------------------------------------------------------------------------
// Requests

export const login = (url: string, email: string, password = GOOD_PASSWORD, headers: Record<string, string> = {}) =>
  call<TokenAnswer>(url, 'POST', '/auth/login', { json: { email, password }, headers });

export const basic = (email: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`,
});

export const refresh = (url: string, refreshToken: string) =>
  call<TokenAnswer>(url, 'POST', '/auth/refresh', { json: { refreshToken } });

export const refreshWithHeader = (url: string, refreshToken: string) =>
  call<TokenAnswer>(url, 'POST', '/auth/refresh', { headers: bearer(refreshToken) });

export const logout = (url: string, refreshToken: string) => call(url, 'POST', '/auth/logout', { json: { refreshToken } });

export const me = (url: string, accessToken: string) => call(url, 'GET', '/auth/me', { headers: bearer(accessToken) });

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** A request through node:http, for what fetch will not send (chunked bodies, oversized or repeated headers). */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string | string[]>; chunks?: readonly (string | Buffer)[] },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: options.method, path: options.path, headers: options.headers ?? {} },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer and stop reading before the whole body is sent: that is not a failure here.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

/** A RawResponse seen through the same eyes as `call`'s answers. */
export function asApiResponse(raw: RawResponse): ApiResponse {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  let body: unknown;
  try {
    body = raw.text === '' ? undefined : JSON.parse(raw.text);
  } catch {
    body = undefined;
  }
  return { status: raw.status, headers, body, text: raw.text };
}

// ---------------------------------------------------------------------------------------------
// Tokens

export interface DecodedJwt {
  header: { alg: string; typ?: string; [k: string]: unknown };
  payload: { sub: string; sid: string; jti: string; iat: number; exp: number; iss: string; aud: string; [k: string]: unknown };
}

export function decodeJwt(token: string): DecodedJwt {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new Error(`not a JWT: ${token}`);
  return { header: decoded.header as DecodedJwt['header'], payload: decoded.payload as DecodedJwt['payload'] };
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims that would pass every check but the one a test breaks. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'no-such-user',
    sid: 'no-such-session',
    jti: randomBytes(16).toString('base64url'),
    iat,
    exp: iat + 600,
    ...overrides,
  };
}

/** A JWT assembled by hand: any header, signed with HMAC (`hmac`) or not at all (`null`). */
export function forgeJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: { readonly secret: string; readonly hmac: 'sha256' | 'sha384' | 'sha512' } | null,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (!sign) return `${input}.`;
  return `${input}.${createHmac(sign.hmac, sign.secret).update(input).digest('base64url')}`;
}

/** An access token as the service would sign it, with overridable claims, header and key. */
export function signAccess(payload: Record<string, unknown>, options: { secret?: string; typ?: string; alg?: 'HS256' | 'HS384' | 'HS512' } = {}): string {
  const alg = options.alg ?? 'HS256';
  return forgeJwt({ alg, typ: options.typ ?? ACCESS_TYP }, claims(payload), {
    secret: options.secret ?? TEST_ACCESS_SECRET,
    hmac: alg === 'HS256' ? 'sha256' : alg === 'HS384' ? 'sha384' : 'sha512',
  });
}

/** A refresh token as the service would sign it, with overridable claims, header and key. */
export function signRefresh(payload: Record<string, unknown>, options: { secret?: string; typ?: string } = {}): string {
  return forgeJwt({ alg: 'HS256', typ: options.typ ?? REFRESH_TYP }, claims(payload), {
    secret: options.secret ?? TEST_REFRESH_SECRET,
    hmac: 'sha256',
  });
}

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
