import { expect } from 'chai';
import { createSecretKey } from 'node:crypto';
import type Koa from 'koa';
import { setSessionCookies } from '../../src/adapters/http/cookies.js';
import { InvalidTokenError, ServiceUnavailableError } from '../../src/domain/errors.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { expectProblem } from './helpers.js';

/**
 * An error answer never carries a cookie set before the failure (error-middleware drops every
 * Set-Cookie): a half-done sign-in must not leave the browser holding tokens whose answer said
 * it failed. The app is the real one, with a few routes of the test's own behind its routers.
 */
const tokens = () => ({
  sessionId: 'session-1',
  accessToken: 'eyJ.access.token',
  refreshToken: 'eyJ.refresh.token',
  accessTokenExpiresAt: new Date(Date.now() + 60_000),
  refreshTokenExpiresAt: new Date(Date.now() + 600_000),
});

const COOKIE_SETTINGS = { secure: false, csrfKey: createSecretKey(Buffer.from('a test csrf key of enough length')) };

function testRoutes(app: Koa): void {
  app.use(async (ctx, next) => {
    if (ctx.path === '/test/cookie-then-ok') {
      ctx.cookies.set('left_behind', 'value', { httpOnly: true });
      ctx.body = { ok: true };
    } else if (ctx.path === '/test/cookie-then-crash') {
      ctx.cookies.set('left_behind', 'value', { httpOnly: true });
      throw new Error('failed after setting a cookie');
    } else if (ctx.path === '/test/sign-in-then-outage') {
      setSessionCookies(ctx, COOKIE_SETTINGS, { ...tokens(), user: null } as never);
      throw new ServiceUnavailableError('session store');
    } else if (ctx.path === '/test/sign-in-then-refused') {
      setSessionCookies(ctx, COOKIE_SETTINGS, { ...tokens(), user: null } as never);
      throw new InvalidTokenError();
    } else {
      await next();
    }
  });
}

describe('error answers and cookies set before the failure', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ extend: testRoutes });
  });
  after(() => app.close());

  it('control: a test route that succeeds does set its cookie', async () => {
    const res = await call(app.url, 'GET', '/test/cookie-then-ok');
    expect(res.status).to.equal(200);
    expect(res.headers.getSetCookie().join('\n')).to.contain('left_behind=value');
  });

  for (const [path, status, code] of [
    ['/test/cookie-then-crash', 500, 'INTERNAL_ERROR'],
    ['/test/sign-in-then-outage', 503, 'SERVICE_UNAVAILABLE'],
    ['/test/sign-in-then-refused', 401, 'INVALID_TOKEN'],
  ] as const) {
    it(`drops every Set-Cookie from the ${status} problem answer of a request that set cookies before failing (${path})`, async () => {
      const res = await call(app.url, 'POST', path);

      expectProblem(res, status, code);
      expect(res.headers.getSetCookie(), 'Set-Cookie on the error answer').to.deep.equal([]);
      expect(res.headers.get('x-request-id'), 'X-Request-Id is kept').to.be.a('string');
    });
  }
});
