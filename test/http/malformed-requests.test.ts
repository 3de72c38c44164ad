import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { register } from '../support/http.js';
import { expectRawProblem, rawExchange } from './raw-http.js';

/**
 * docs/operations.md: any request the router sees, even a malformed one (no
 * Host, a bad path encoding), gets problem+json with X-Request-Id. Sent on raw sockets: no HTTP
 * client sends these.
 */
describe('Malformed requests get problem+json with X-Request-Id', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  describe('Host (RFC 9112 §3.2)', () => {
    const withoutHost: ReadonlyArray<readonly [string, string]> = [
      ['GET /healthz', 'GET /healthz HTTP/1.1\r\n\r\n'],
      ['GET of an unknown route', 'GET /no/such/route HTTP/1.1\r\n\r\n'],
      ['GET /auth/me', 'GET /auth/me HTTP/1.1\r\nAuthorization: Bearer x.y.z\r\n\r\n'],
      ['POST /auth/login with a body', 'POST /auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'],
      ['a bad path encoding too', 'GET /%E0%A4%A HTTP/1.1\r\n\r\n'],
    ];
    for (const [what, request] of withoutHost) {
      it(`answers an HTTP/1.1 request without Host with 400 BAD_REQUEST problem+json and X-Request-Id: ${what}`, async () => {
        expectRawProblem(await rawExchange(app.url, request), 400, 'BAD_REQUEST', what);
      });
    }

    it('echoes a well-formed X-Request-Id on that 400', async () => {
      const answer = await rawExchange(app.url, 'GET /healthz HTTP/1.1\r\nX-Request-Id: no-host-1\r\n\r\n');
      expectRawProblem(answer, 400, 'BAD_REQUEST');
      expect(answer.headers['x-request-id']).to.equal('no-host-1');
    });

    it('answers two Host headers with 400 BAD_REQUEST problem+json', async () => {
      expectRawProblem(await rawExchange(app.url, 'GET /healthz HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n'), 400, 'BAD_REQUEST');
      expectRawProblem(await rawExchange(app.url, 'GET /healthz HTTP/1.1\r\nHost: a.test\r\nhOsT: a.test\r\n\r\n'), 400, 'BAD_REQUEST');
    });

    it('serves HTTP/1.0 without Host, and HTTP/1.1 with one Host, even an empty one', async () => {
      for (const request of ['GET /healthz HTTP/1.0\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: a.test\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost:\r\n\r\n']) {
        const answer = await rawExchange(app.url, request);
        expect(answer.status, JSON.stringify(request)).to.equal(200);
        expect(answer.headers['x-request-id']).to.be.a('string');
      }
    });
  });

  describe('bad path encodings and odd request targets', () => {
    const targets: ReadonlyArray<readonly [string, number, string]> = [
      ['/%E0%A4%A', 404, 'NOT_FOUND'],
      ['/%', 404, 'NOT_FOUND'],
      ['/%00', 404, 'NOT_FOUND'],
      ['/auth/%ZZ', 404, 'NOT_FOUND'],
      ['/auth/me/%C0%AF', 404, 'NOT_FOUND'],
      ['/metrics%', 404, 'NOT_FOUND'],
      ['*', 404, 'NOT_FOUND'],
      ['http://%zz/nope', 404, 'NOT_FOUND'],
      ['/auth/github/callback?error=%E0%A4%A&state=%', 404, 'GITHUB_NOT_CONFIGURED'],
      ['/\u00e9', 400, 'BAD_REQUEST'],
    ];
    for (const [target, status, code] of targets) {
      it(`answers GET ${JSON.stringify(target)} with ${status} ${code}`, async () => {
        expectRawProblem(await rawExchange(app.url, `GET ${target} HTTP/1.1\r\nHost: a.test\r\n\r\n`), status, code, target);
      });
    }

    it('answers a bad encoding in a route parameter with a problem, never a 5xx', async () => {
      const { accessToken } = await register(app.url);
      for (const id of ['%E0%A4%A', '%', '%ZZ', '%C0%AF', '%00']) {
        const answer = await rawExchange(app.url, `DELETE /auth/sessions/${id} HTTP/1.1\r\nHost: a.test\r\nAuthorization: Bearer ${accessToken}\r\n\r\n`);
        expectRawProblem(answer, 404, 'SESSION_NOT_FOUND', id);
      }
    });
  });
});
