import { expect } from 'chai';
import { request, type ApiResponse } from '../support/http.js';
import { expiryOf, parseSetCookie, setCookiesOf, type SetCookie } from './web-client.js';
import { WEB_APP_URL, type GithubStandIn, type GithubTestApp } from '../support/github-stand-in.js';

/**
 * A browser, as far as the GitHub flow needs one: it follows nothing on its own (each hop is a
 * step a test looks at), keeps cookies by host and path as RFC 6265 says (ports share cookies),
 * and checks every answer of the service on the way.
 */

export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly host: string;
  readonly path: string;
  readonly attributes: ReadonlyMap<string, string | true>;
}

export type ParsedSetCookie = SetCookie;
export { expiryOf, parseSetCookie, setCookiesOf };

/** The one Set-Cookie of this name in an answer, or undefined. */
export function setCookieNamed(res: { headers: Headers }, name: string): ParsedSetCookie | undefined {
  const found = setCookiesOf(res).filter((c) => c.name === name);
  expect(found.length, `at most one Set-Cookie for ${name}: ${found.map((c) => c.raw).join(' | ')}`).to.be.at.most(1);
  return found[0];
}


export const isExpiring = (c: ParsedSetCookie): boolean => c.value === '' || (expiryOf(c) ?? Infinity) <= Date.now();

const pathMatches = (requestPath: string, cookiePath: string): boolean =>
  requestPath === cookiePath ||
  (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/'));

/** RFC 6265 §5.1.4: the directory of the request path when Set-Cookie names none. */
const defaultPath = (pathname: string): string => {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
};

export interface Visit {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly location: string | null;
  readonly requestId: string | null;
  /** True for answers of the service under test (the stand-in's are logged too). */
  readonly fromApp: boolean;
}

const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const SESSION_COOKIES = ['access_token', 'refresh_token', 'csrf_token'] as const;

export class Browser {
  private cookies: StoredCookie[] = [];
  readonly visits: Visit[] = [];
  /** Token values this browser has been given (session cookies): none may show up in a URL. */
  private readonly secrets = new Set<string>();

  constructor(
    private readonly app: GithubTestApp,
    private readonly standIn: GithubStandIn | null = null,
  ) {}

  /** One request, with this browser's cookies; redirects are not followed. */
  async request(method: string, url: string, options: { headers?: Record<string, string>; json?: unknown } = {}): Promise<ApiResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...options.headers };
    const cookie = this.cookieHeaderFor(target);
    if (cookie !== '' && headers.cookie === undefined) headers.cookie = cookie;
    const answer = await request(target, method, { headers, ...(options.json !== undefined ? { json: options.json } : {}) });
    this.take(target, answer);
    const fromApp = target.origin === new URL(this.app.url).origin;
    const visit: Visit = {
      method,
      url: target.toString(),
      status: answer.status,
      location: answer.headers.get('location'),
      requestId: answer.headers.get('x-request-id'),
      fromApp,
    };
    this.visits.push(visit);
    if (fromApp) this.checkAppAnswer(visit);
    return answer;
  }

  get(url: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.request('GET', url, { headers });
  }

  /** A request to the service, by path. */
  call(method: string, path: string, options: { headers?: Record<string, string>; json?: unknown } = {}): Promise<ApiResponse> {
    return this.request(method, this.app.url + path, options);
  }

  /** The value of the cookie this browser would send to the service on this path, or undefined. */
  cookie(name: string, path = '/auth/github/callback'): string | undefined {
    const url = new URL(path, this.app.url);
    return this.cookies.find((c) => c.name === name && c.host === url.hostname && pathMatches(url.pathname, c.path))?.value;
  }

  /** A copy of this browser's cookies in a second browser (the same profile opened twice). */
  clone(): Browser {
    const copy = new Browser(this.app, this.standIn);
    copy.cookies = [...this.cookies];
    return copy;
  }

  /** Forgets one cookie, as a user clearing it (or a browser that never had it) would. */
  drop(name: string): this {
    this.cookies = this.cookies.filter((c) => c.name !== name);
    return this;
  }

  /** Sets a cookie by hand, as a page's script or an attacker's cookie injection would. */
  plant(name: string, value: string, path = '/'): this {
    const host = new URL(this.app.url).hostname;
    this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path && c.host === host));
    this.cookies.push({ name, value, host, path, attributes: new Map() });
    return this;
  }

  /** Every Location this browser was sent to, for the "no token in a URL" checks. */
  locations(): string[] {
    return this.visits.flatMap((v) => (v.location === null ? [] : [v.location]));
  }

  /** No Location ever carried a token: no JWT, no session cookie value, no GitHub access token. */
  expectNoTokenInAnyUrl(): void {
    const forbidden = [...this.secrets, ...(this.standIn?.issuedAccessTokens ?? [])];
    for (const location of this.locations()) {
      expect(location, `a JWT in a Location: ${location}`).to.not.match(JWT_SHAPE);
      expect(location, 'a token parameter in a Location').to.not.match(/[?&#](access_token|refresh_token|token|id_token)=/i);
      for (const secret of forbidden) expect(location.includes(secret), `a token in a Location: ${location}`).to.equal(false);
    }
  }

  private checkAppAnswer(visit: Visit): void {
    expect(visit.status, `${visit.method} ${visit.url} answered a 5xx`).to.be.below(500);
    expect(visit.requestId, `X-Request-Id on ${visit.method} ${visit.url}`).to.be.a('string');
    expect(visit.requestId as string).to.match(REQUEST_ID);
    if (visit.status >= 300 && visit.status < 400) {
      expect(visit.location, `Location on the ${visit.status} of ${visit.url}`).to.be.a('string').and.not.equal('');
    }
    this.expectNoTokenInAnyUrl();
  }

  private cookieHeaderFor(url: URL): string {
    const now = Date.now();
    return this.cookies
      .filter((c) => c.host === url.hostname && pathMatches(url.pathname, c.path))
      .filter((c) => (expiryOf(c, now) ?? Infinity) > now)
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private take(url: URL, res: ApiResponse): void {
    for (const c of setCookiesOf(res)) {
      const declared = c.attributes.get('path');
      const path = typeof declared === 'string' ? declared : defaultPath(url.pathname);
      this.cookies = this.cookies.filter((k) => !(k.name === c.name && k.host === url.hostname && k.path === path));
      if (isExpiring(c)) continue;
      // Max-Age is relative: store the absolute expiry so later checks see it shrink.
      const attributes = new Map(c.attributes);
      const expiry = expiryOf(c);
      if (expiry !== null) {
        attributes.delete('max-age');
        attributes.set('expires', new Date(expiry).toUTCString());
      }
      this.cookies.push({ name: c.name, value: c.value, host: url.hostname, path, attributes });
      if ((SESSION_COOKIES as readonly string[]).includes(c.name)) this.secrets.add(c.value);
    }
  }
}

// -----------------------------------------------------------------------------------------------
// The flow, hop by hop

/** The authorize URL GET /auth/github sent the browser to, checked against docs/http-api.md. */
export interface StartedFlow {
  readonly authorizeUrl: URL;
  readonly state: string;
  readonly codeChallenge: string;
}

/** GET /auth/github (or a link URL): a 302 to GitHub's authorize URL with everything the flow needs. */
export async function startFlow(browser: Browser, app: GithubTestApp, standIn: GithubStandIn, url = `${app.url}/auth/github`): Promise<StartedFlow> {
  const res = await browser.get(url);
  expect(res.status, `GET ${url} (${res.text})`).to.equal(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`, 'the redirect goes to GitHub').to.equal(standIn.authorizeUrl);
  const q = location.searchParams;
  expect(q.get('client_id')).to.equal(standIn.clientId);
  expect(q.get('redirect_uri')).to.equal(`${app.url}/auth/github/callback`);
  expect(q.get('scope')).to.equal('user:email');
  expect(q.get('response_type')).to.equal('code');
  expect(q.get('state'), 'state').to.be.a('string').and.have.length.of.at.least(22);
  expect(q.get('code_challenge_method')).to.equal('S256');
  expect(q.get('code_challenge'), 'code_challenge').to.match(/^[A-Za-z0-9_-]{43}$/);
  return { authorizeUrl: location, state: q.get('state') as string, codeChallenge: q.get('code_challenge') as string };
}

/** The user at GitHub: the stand-in's authorize page answers 302 back to the callback. */
export async function consentAtGithub(browser: Browser, app: GithubTestApp, flow: StartedFlow): Promise<URL> {
  const res = await browser.get(flow.authorizeUrl.toString());
  expect(res.status, `GitHub's authorize page (${res.text})`).to.equal(302);
  const back = new URL(res.headers.get('location') ?? '');
  expect(`${back.origin}${back.pathname}`).to.equal(`${app.url}/auth/github/callback`);
  return back;
}

/** GitHub's redirect lands on the service's callback. */
export const returnToService = (browser: Browser, callbackUrl: URL | string, headers: Record<string, string> = {}) =>
  browser.get(callbackUrl.toString(), headers);

export interface FinishedFlow {
  readonly flow: StartedFlow;
  readonly callbackUrl: URL;
  readonly callback: ApiResponse;
}

/** The whole flow in one browser: start, consent at the stand-in, back to the callback. */
export async function githubFlow(browser: Browser, app: GithubTestApp, standIn: GithubStandIn, startUrl?: string): Promise<FinishedFlow> {
  const flow = await startFlow(browser, app, standIn, startUrl);
  const callbackUrl = await consentAtGithub(browser, app, flow);
  const callback = await returnToService(browser, callbackUrl);
  return { flow, callbackUrl, callback };
}

// -----------------------------------------------------------------------------------------------
// Outcomes

/** The callback's answer is a 302 to WEB_APP_URL, with `?error=` or without; returns the error (null on success). */
export function callbackOutcome(res: ApiResponse): string | null {
  expect(res.status, `the callback answers a redirect (${res.text})`).to.equal(302);
  const location = res.headers.get('location') ?? '';
  const target = new URL(location);
  expect(`${target.origin}${target.pathname}`, 'the flow only ever returns to WEB_APP_URL').to.equal(WEB_APP_URL);
  const keys = [...target.searchParams.keys()];
  expect(keys.every((k) => k === 'error'), `nothing but ?error on the way back: ${location}`).to.equal(true);
  expect(target.hash).to.equal('');
  return target.searchParams.get('error');
}

/** Signed in: back to exactly WEB_APP_URL with the three cookie-mode cookies. */
export function expectSignedIn(res: ApiResponse): void {
  expect(callbackOutcome(res), 'no error').to.equal(null);
  expect(res.headers.get('location')).to.equal(WEB_APP_URL);
  for (const name of SESSION_COOKIES) {
    const c = setCookieNamed(res, name);
    expect(c, `${name} is set`).to.not.equal(undefined);
    expect(isExpiring(c as ParsedSetCookie), `${name} is live`).to.equal(false);
  }
}

/** Back to WEB_APP_URL?error=<code>, and no sign-in: no session cookie is given. */
export function expectFlowError(res: ApiResponse, code: string): void {
  expect(callbackOutcome(res), `the error code (Location: ${res.headers.get('location')})`).to.equal(code);
  expect(res.headers.get('location')).to.equal(`${WEB_APP_URL}?error=${code}`);
  for (const name of SESSION_COOKIES) {
    const c = setCookieNamed(res, name);
    expect(c === undefined || isExpiring(c), `no ${name} is given on an error`).to.equal(true);
  }
}
