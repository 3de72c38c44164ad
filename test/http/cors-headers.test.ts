import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, register, type ApiResponse } from '../support/http.js';
import { expectRequestId } from './helpers.js';

const APP_ORIGIN = 'https://app.example.com';
const ADMIN_ORIGIN = 'https://admin.example.com';
const CORS_ORIGINS = `${APP_ORIGIN},${ADMIN_ORIGIN}`;

/** Origins that only look like an allowed one: suffix, prefix, scheme, port, subdomain, opaque. */
const LOOKALIKES = [
  'https://app.example.com.evil.io',
  'https://evilapp.example.com',
  'https://evil.app.example.com',
  'https://app.example.co',
  'http://app.example.com',
  'https://app.example.com:8443',
  'https://evil.io',
  'null',
];

const preflight = (url: string, path: string, origin: string, method = 'POST', requestHeaders = 'content-type, x-csrf-token, authorization, x-auth-mode') =>
  call(url, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders },
  });

const listOf = (value: string | null): string[] => (value ?? '').split(',').map((v) => v.trim().toLowerCase()).filter((v) => v !== '');

function expectAllowed(res: ApiResponse, origin: string, label: string): void {
  expect(res.headers.get('access-control-allow-origin'), `${label}: Access-Control-Allow-Origin`).to.equal(origin);
  expect(res.headers.get('access-control-allow-credentials'), `${label}: Access-Control-Allow-Credentials`).to.equal('true');
}

function expectNotAllowed(res: ApiResponse, label: string): void {
  expect(res.headers.get('access-control-allow-origin'), `${label}: Access-Control-Allow-Origin`).to.equal(null);
  expect(res.headers.get('access-control-allow-credentials'), `${label}: Access-Control-Allow-Credentials`).to.equal(null);
}

function expectNosniff(res: ApiResponse, label: string): void {
  expect(res.headers.get('x-content-type-options'), `${label}: X-Content-Type-Options`).to.equal('nosniff');
}

describe('CORS (CORS_ORIGINS: exact origins allowed with credentials)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS } });
  });
  after(() => app.close());

  describe('an allowed origin', () => {
    it('gets Access-Control-Allow-Origin equal to itself and Allow-Credentials: true on a simple request', async () => {
      for (const origin of [APP_ORIGIN, ADMIN_ORIGIN]) {
        const res = await call(app.url, 'GET', '/healthz', { headers: { origin } });
        expect(res.status).to.equal(200);
        expectAllowed(res, origin, origin);
        expect(listOf(res.headers.get('vary')), 'Vary: Origin, so no cache serves one origin’s answer to another').to.include('origin');
      }
    });

    it('gets them on an authenticated request and on its 401, so the web app can read either', async () => {
      const r = await register(app.url);
      expectAllowed(await call(app.url, 'GET', '/auth/me', { headers: { origin: APP_ORIGIN, ...bearer(r.accessToken) } }), APP_ORIGIN, '200');
      const denied = await call(app.url, 'GET', '/auth/me', { headers: { origin: APP_ORIGIN } });
      expect(denied.status).to.equal(401);
      expectAllowed(denied, APP_ORIGIN, '401');
    });

    it('gets a preflight answer allowing the credentials, the methods and X-CSRF-Token, Content-Type, Authorization, X-Auth-Mode', async () => {
      for (const [path, method] of [['/auth/login', 'POST'], ['/auth/refresh', 'POST'], ['/auth/sessions/some-id', 'DELETE']] as const) {
        const res = await preflight(app.url, path, APP_ORIGIN, method);
        const label = `OPTIONS ${path} for ${method}`;
        expect(res.status, label).to.be.within(200, 299);
        expectAllowed(res, APP_ORIGIN, label);
        expect(listOf(res.headers.get('access-control-allow-methods')), label).to.include(method.toLowerCase());
        expect(listOf(res.headers.get('access-control-allow-headers')), label).to.include.members([
          'x-csrf-token',
          'content-type',
          'authorization',
          'x-auth-mode',
        ]);
      }
    });

    it('gets the second configured origin echoed, never the first one', async () => {
      const res = await preflight(app.url, '/auth/login', ADMIN_ORIGIN);
      expectAllowed(res, ADMIN_ORIGIN, 'preflight from the admin origin');
    });
  });

  describe('an origin not in the list', () => {
    it('gets no Access-Control-Allow-Origin on a simple request, including look-alikes and "null"', async () => {
      for (const origin of LOOKALIKES) {
        const res = await call(app.url, 'GET', '/healthz', { headers: { origin } });
        expect(res.status).to.equal(200);
        expectNotAllowed(res, origin);
      }
    });

    it('gets no Access-Control-Allow-Origin on a preflight, including look-alikes and "null"', async () => {
      for (const origin of LOOKALIKES) {
        const res = await preflight(app.url, '/auth/login', origin);
        expectNotAllowed(res, `preflight from ${origin}`);
        expect(res.headers.get('access-control-allow-headers'), `preflight from ${origin}`).to.equal(null);
      }
    });

    it('gets no Access-Control-Allow-Origin on a credentialed request to /auth/me', async () => {
      const r = await register(app.url);
      for (const origin of LOOKALIKES) {
        expectNotAllowed(await call(app.url, 'GET', '/auth/me', { headers: { origin, ...bearer(r.accessToken) } }), origin);
      }
    });
  });

  it('answers preflights, allowed or not, with X-Request-Id (echoed when well formed)', async () => {
    for (const origin of [APP_ORIGIN, 'https://evil.io']) {
      expectRequestId((await preflight(app.url, '/auth/refresh', origin)).headers.get('x-request-id'), `preflight from ${origin}`);
    }
    const echoed = await call(app.url, 'OPTIONS', '/auth/login', {
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'x-request-id': 'preflight-1' },
    });
    expect(echoed.headers.get('x-request-id')).to.equal('preflight-1');
  });

  it('answers preflights, allowed or not, with X-Content-Type-Options: nosniff', async () => {
    for (const origin of [APP_ORIGIN, 'https://evil.io']) {
      expectNosniff(await preflight(app.url, '/auth/refresh', origin), `preflight from ${origin}`);
    }
  });
});

describe('CORS with CORS_ORIGINS unset', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('allows no origin at all, on simple requests and on preflights', async () => {
    for (const origin of [APP_ORIGIN, 'http://localhost:3000', 'null']) {
      expectNotAllowed(await call(app.url, 'GET', '/healthz', { headers: { origin } }), origin);
      expectNotAllowed(await preflight(app.url, '/auth/login', origin), `preflight from ${origin}`);
    }
  });
});

describe('security headers', () => {
  describe('with an http PUBLIC_URL', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({
        env: {
          GITHUB_CLIENT_ID: 'client-id',
          GITHUB_CLIENT_SECRET: 'client-secret',
          GITHUB_CALLBACK_URL: 'http://127.0.0.1/auth/github/callback',
          WEB_APP_URL: 'http://localhost:5173/',
        },
      });
    });
    after(() => app.close());

    it('sends X-Content-Type-Options: nosniff on successes, errors, 404s and an unanswered preflight', async () => {
      const r = await register(app.url);
      const answers: Array<[string, ApiResponse]> = [
        ['200', await call(app.url, 'GET', '/auth/me', { headers: bearer(r.accessToken) })],
        ['401', await call(app.url, 'GET', '/auth/me')],
        ['400', await call(app.url, 'POST', '/auth/login', { json: {} })],
        ['404', await call(app.url, 'GET', '/no-such-route')],
        ['preflight', await preflight(app.url, '/auth/login', APP_ORIGIN)],
      ];
      for (const [label, res] of answers) expectNosniff(res, label);
    });

    it('sends X-Request-Id and nosniff on redirects', async () => {
      const redirects: Array<[string, ApiResponse]> = [
        ['to GitHub', await call(app.url, 'GET', '/auth/github', { headers: { 'x-request-id': 'redirect-1' } })],
        ['back to the web app', await call(app.url, 'GET', '/auth/github/callback', { headers: { 'x-request-id': 'redirect-2' } })],
      ];
      for (const [label, res] of redirects) {
        expect(res.status, label).to.equal(302);
        expect(res.headers.get('location'), label).to.be.a('string');
        expect(res.headers.get('x-request-id'), label).to.equal(label === 'to GitHub' ? 'redirect-1' : 'redirect-2');
        expectNosniff(res, label);
      }
      const generated = await call(app.url, 'GET', '/auth/github/callback');
      expectRequestId(generated.headers.get('x-request-id'), 'a redirect without an X-Request-Id of its own');
    });

    it('sends no Strict-Transport-Security', async () => {
      for (const path of ['/healthz', '/auth/me', '/']) {
        expect((await call(app.url, 'GET', path)).headers.get('strict-transport-security'), path).to.equal(null);
      }
    });
  });

  describe('with an https PUBLIC_URL', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ env: { PUBLIC_URL: 'https://auth.example.com' } });
    });
    after(() => app.close());

    it('sends Strict-Transport-Security with a max-age on successes and errors', async () => {
      for (const path of ['/healthz', '/auth/me', '/no-such-route']) {
        const hsts = (await call(app.url, 'GET', path)).headers.get('strict-transport-security');
        expect(hsts, path).to.be.a('string');
        expect(hsts ?? '', path).to.match(/max-age=[1-9]\d*/);
      }
    });

    it('still sends nosniff', async () => {
      expectNosniff(await call(app.url, 'GET', '/healthz'), '/healthz');
    });
  });
});
