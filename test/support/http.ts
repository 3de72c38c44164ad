/** A tiny JSON client over fetch for the HTTP tests. */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

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
