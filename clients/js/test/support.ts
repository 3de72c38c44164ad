import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { FixedClock } from '../../../test/support/fixed-clock.js';
import type { FetchInit, FetchLike } from '../src/index.js';

/** Node's own fetch, as a FetchLike. */
export const nodeFetch: FetchLike = (url, init) => fetch(url, init);

export interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** A fetch wrapper that records every request the client makes, in order. */
export function recording(inner: FetchLike = nodeFetch) {
  const sent: Sent[] = [];
  const record = (url: string, init: FetchInit): Sent => ({
    method: init.method,
    path: new URL(url).pathname,
    headers: { ...init.headers },
    body: init.body === undefined ? undefined : JSON.parse(init.body),
  });
  const wrapped: FetchLike = (url, init) => {
    sent.push(record(url, init));
    return inner(url, init);
  };
  return {
    fetch: wrapped,
    sent,
    count: (method: string, path: string) => sent.filter((s) => s.method === method && s.path === path).length,
    clear: () => {
      sent.length = 0;
    },
  };
}

/** A browser's cookie store in a few lines: keeps what Set-Cookie gives, drops what it expires, sends by path. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  readonly fetch: FetchLike = async (url, init) => {
    const { pathname } = new URL(url);
    const cookie = [...this.cookies]
      .filter(([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const res = await fetch(url, { ...init, headers: cookie === '' ? init.headers : { ...init.headers, cookie }, redirect: 'manual' });
    for (const raw of res.headers.getSetCookie()) this.take(raw);
    return res;
  };

  private take(raw: string): void {
    const [pair = '', ...attributes] = raw.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const at = attribute.indexOf('=');
      const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
      const v = at < 0 ? '' : attribute.slice(at + 1).trim();
      if (key === 'path') path = v;
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, { value, path });
  }

  get(name: string): string | null {
    return this.cookies.get(name)?.value ?? null;
  }

  /** As a browser drops a cookie whose lifetime ran out. */
  delete(name: string): void {
    this.cookies.delete(name);
  }

  names(): string[] {
    return [...this.cookies.keys()].sort();
  }
}

/** The payload of a JWT, unverified (to compare ids). */
export const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

export { rejectionOf } from '../../../test/contract/builders.js';

/**
 * In a `describe`: the real service, in-process, on a FixedClock the tests move (tokens expire by
 * it, with no waiting), started and closed by hooks it registers. Read `.app` and `.clock` inside tests.
 */
export function serviceOnFixedClock(env: Record<string, string> = {}): { readonly app: TestApp; readonly clock: FixedClock } {
  const service = {} as { app: TestApp; clock: FixedClock };
  before(async () => {
    service.clock = new FixedClock(new Date());
    service.app = await startTestApp({ clock: service.clock, env });
  });
  after(() => service.app?.close());
  return service;
}
