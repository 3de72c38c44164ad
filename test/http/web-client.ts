import { expect } from 'chai';
import { call, GOOD_PASSWORD, type ApiResponse } from '../support/http.js';
import { decodeJwt, expectUser, secretKeysIn, type TokenAnswer } from './helpers.js';

/** The browser's side of cookie mode (docs/tokens-and-modes.md "Cookie mode"), shared by the web-client suites. */

export const COOKIE_MODE = { 'x-auth-mode': 'cookie' } as const;
export const COOKIE_NAMES = ['access_token', 'csrf_token', 'refresh_token'] as const;
export type CookieName = (typeof COOKIE_NAMES)[number];

/** Where each cookie must live, and how (docs/tokens-and-modes.md "Cookie mode"). */
export const COOKIE_RULES: Record<CookieName, { readonly path: string; readonly sameSite: string; readonly httpOnly: boolean }> = {
  access_token: { path: '/', sameSite: 'lax', httpOnly: true },
  refresh_token: { path: '/auth', sameSite: 'strict', httpOnly: true },
  csrf_token: { path: '/', sameSite: 'lax', httpOnly: false },
};

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attribute names lower-cased; a flag (Secure, HttpOnly) maps to true. */
  readonly attributes: ReadonlyMap<string, string | true>;
  readonly raw: string;
}

export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...rest] = raw.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at < 0) attributes.set(part.trim().toLowerCase(), true);
    else attributes.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw };
}

export const setCookiesOf = (res: { readonly headers: Headers }): SetCookie[] => res.headers.getSetCookie().map(parseSetCookie);

/** The one Set-Cookie of this name in the answer (two would leave the browser's state to chance). */
export function theSetCookie(res: ApiResponse, name: string): SetCookie {
  const found = setCookiesOf(res).filter((c) => c.name === name);
  expect(found.map((c) => c.raw), `Set-Cookie for ${name}`).to.have.length(1);
  return found[0] as SetCookie;
}

const text = (c: Pick<SetCookie, 'attributes'>, attribute: string): string | undefined => {
  const v = c.attributes.get(attribute);
  return typeof v === 'string' ? v : undefined;
};

/** When the browser drops the cookie: Max-Age wins over Expires (RFC 6265 §5.3); null for a session cookie. */
export function expiryOf(c: Pick<SetCookie, 'attributes'>, now = Date.now()): number | null {
  const maxAge = text(c, 'max-age');
  if (maxAge !== undefined) return now + Number(maxAge) * 1000;
  const expires = text(c, 'expires');
  return expires === undefined ? null : new Date(expires).getTime();
}

/** Path, SameSite, HttpOnly and Secure of one of the three session cookies, as docs/tokens-and-modes.md sets them. */
export function expectCookieAttributes(c: SetCookie, secure: boolean): void {
  const rule = COOKIE_RULES[c.name as CookieName];
  expect(rule, `${c.name} is one of the session cookies`).to.not.equal(undefined);
  expect(text(c, 'path'), `${c.name} Path (${c.raw})`).to.equal(rule.path);
  expect(text(c, 'samesite')?.toLowerCase(), `${c.name} SameSite (${c.raw})`).to.equal(rule.sameSite);
  expect(c.attributes.has('httponly'), `${c.name} HttpOnly (${c.raw})`).to.equal(rule.httpOnly);
  expect(c.attributes.has('secure'), `${c.name} Secure (${c.raw})`).to.equal(secure);
}

/** The three cookies are set, each with its attributes and a non-empty value that lives in the future. */
export function expectSessionCookies(res: ApiResponse, secure = false): Record<CookieName, SetCookie> {
  const found = {} as Record<CookieName, SetCookie>;
  for (const name of COOKIE_NAMES) {
    const c = theSetCookie(res, name);
    expectCookieAttributes(c, secure);
    expect(c.value, `${name} value`).to.not.equal('');
    expect(expiryOf(c) ?? 0, `${name} is not a session cookie and lives in the future (${c.raw})`).to.be.greaterThan(Date.now());
    found[name] = c;
  }
  return found;
}

/** All three cookies expired (empty, Max-Age=0 or Expires in the past), each on its own path. */
export function expectSessionCookiesCleared(res: ApiResponse, secure = false): void {
  for (const name of COOKIE_NAMES) {
    const c = theSetCookie(res, name);
    expectCookieAttributes(c, secure);
    const expiry = expiryOf(c);
    expect(expiry, `${name} carries Max-Age or Expires (${c.raw})`).to.not.equal(null);
    expect(expiry ?? Infinity, `${name} expires in the past (${c.raw})`).to.be.at.most(Date.now());
  }
}

const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;

/** Cookie mode's body: `{ user, expiresIn }`, never a token, never cached. */
export function expectCookieModeAnswer(res: ApiResponse, status: number): { user: TokenAnswer['user']; expiresIn: number } {
  expect(res.status, `status (body: ${res.text})`).to.equal(status);
  expect(res.headers.get('cache-control') ?? '').to.match(/\bno-store\b/);
  const body = res.body as { user: TokenAnswer['user']; expiresIn: number };
  expect(Object.keys(body).sort(), 'the body keys').to.deep.equal(['expiresIn', 'user']);
  expectUser(body.user);
  expect(body.expiresIn).to.be.a('number').and.greaterThan(0);
  expect(res.text, 'a token in the body').to.not.match(JWT_SHAPE);
  expect(secretKeysIn(body)).to.deep.equal([]);
  return body;
}

/** Keeps what Set-Cookie gives and drops what it expires, as a browser does. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: ApiResponse): this {
    for (const c of setCookiesOf(res)) {
      const expiry = expiryOf(c);
      if (c.value === '' || (expiry !== null && expiry <= Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return this;
  }

  get(name: CookieName): string {
    const value = this.cookies.get(name);
    if (value === undefined) throw new Error(`no ${name} cookie in the jar (${this.names().join(', ')})`);
    return value;
  }

  names(): string[] {
    return [...this.cookies.keys()].sort();
  }

  without(name: CookieName): CookieJar {
    const copy = new CookieJar();
    for (const [k, v] of this.cookies) if (k !== name) copy.cookies.set(k, v);
    return copy;
  }

  /** Every cookie, as a browser sends them to /auth/* (all three paths match). */
  header(): Record<string, string> {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  /** The cookies plus the double-submit header a web app adds to unsafe requests. */
  withCsrf(): Record<string, string> {
    return { ...this.header(), 'x-csrf-token': this.get('csrf_token') };
  }

  /** The session id the access cookie names. */
  sid(): string {
    return decodeJwt(this.get('access_token')).payload.sid;
  }
}

export const cookieLogin = async (url: string, email: string, password = GOOD_PASSWORD, headers: Record<string, string> = {}) => {
  const res = await call(url, 'POST', '/auth/login', { json: { email, password }, headers: { ...COOKIE_MODE, ...headers } });
  expect(res.status, `cookie login (${res.text})`).to.equal(200);
  return new CookieJar().take(res);
};

export const sidOf = (token: string): string => decodeJwt(token).payload.sid;

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  /** A short label read from userAgent ("Chrome on macOS"), null when nothing is recognisable. */
  device: string | null;
  current: boolean;
}

export const SESSION_KEYS = ['createdAt', 'current', 'device', 'id', 'lastUsedAt', 'userAgent'] as const;
