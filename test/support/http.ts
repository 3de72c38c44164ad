import { createServer, type AddressInfo } from 'node:net';
/** A tiny JSON client over fetch for the HTTP tests. */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface RequestOptions {
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

/** One request to a full URL, never following redirects; the body parsed as JSON when it is JSON. */
export async function request<T = any>(url: string | URL, method: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const call = <T = any>(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> =>
  request<T>(baseUrl + path, method, options);

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let counter = 0;
/** A unique, valid email per call. */
export const uniqueEmail = (prefix = 'user') => `${prefix}.${Date.now().toString(36)}.${(counter++).toString(36)}@example.com`;

export const GOOD_PASSWORD = 'correct horse battery';

/** Registers a user in Bearer mode and returns the answer's body. */
export async function register(baseUrl: string, email = uniqueEmail(), password = GOOD_PASSWORD) {
  const res = await call(baseUrl, 'POST', '/auth/register', { json: { email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { email, password, ...(res.body as { user: { id: string }; accessToken: string; refreshToken: string }) };
}

/** A loopback port free right now (the kernel picked it). */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
