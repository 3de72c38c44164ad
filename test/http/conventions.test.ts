import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { InMemoryUserRepository } from '../../src/adapters/persistence/memory/in-memory-user-repository.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, GOOD_PASSWORD, register, uniqueEmail, type ApiResponse } from '../support/http.js';
import { asApiResponse, expectNoLeak, expectProblem, expectRequestId, rawRequest, secretKeysIn } from './helpers.js';

const LIMIT = 102_400;

/** A JSON object of exactly `bytes` bytes: {"email":"…","password":"…"} padded in a field. */
function jsonOfSize(bytes: number): string {
  const base = JSON.stringify({ email: 'pad@example.com', password: 'not the password', pad: '' });
  return base.replace('"pad":""', `"pad":"${'p'.repeat(bytes - base.length)}"`);
}

describe('HTTP conventions', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  describe('X-Request-Id', () => {
    const get = (path: string, id?: string) => call(app.url, 'GET', path, { headers: id === undefined ? {} : { 'x-request-id': id } });

    it('echoes a well-formed id of 1 to 128 characters of [A-Za-z0-9._-]', async () => {
      for (const id of ['a', 'req-123_abc.DEF', 'x'.repeat(128), '0', '...', '-_-']) {
        expect((await get('/healthz', id)).headers.get('x-request-id')).to.equal(id);
      }
    });

    it('generates one when none is sent', async () => {
      const a = (await get('/healthz')).headers.get('x-request-id');
      const b = (await get('/healthz')).headers.get('x-request-id');
      expectRequestId(a);
      expectRequestId(b);
      expect(a).to.not.equal(b);
    });

    it('generates a fresh one instead of echoing an id that is too long (129 characters)', async () => {
      const id = 'y'.repeat(129);
      const got = (await get('/healthz', id)).headers.get('x-request-id');
      expectRequestId(got);
      expect(got).to.not.equal(id);
      expect(got).to.not.equal(id.slice(0, 128));
    });

    it('generates a fresh one instead of echoing an id with characters outside [A-Za-z0-9._-]', async () => {
      for (const id of ['has space', 'semi;colon', 'a/b', '<script>', 'quote"', 'émoji', 'a,b', 'tab\tid', 'a+b', 'a=b', 'x:y']) {
        const got = (await get('/healthz', id)).headers.get('x-request-id');
        expectRequestId(got, JSON.stringify(id));
        expect(got).to.not.include(id);
      }
    });

    it('treats two X-Request-Id headers as one malformed id (no header splitting)', async () => {
      const raw = await rawRequest(app.url, { method: 'GET', path: '/healthz', headers: { 'x-request-id': ['first', 'second'] } });
      const got = raw.headers['x-request-id'];
      expectRequestId(got);
    });

    it('is on errors too: 401, 400, 404, 405, 413, 415, 503', async () => {
      const answers: ApiResponse[] = [
        await call(app.url, 'GET', '/auth/me', { headers: { 'x-request-id': 'err-401' } }),
        await call(app.url, 'POST', '/auth/login', { body: '{', headers: { 'content-type': 'application/json', 'x-request-id': 'err-400' } }),
        await call(app.url, 'GET', '/nope', { headers: { 'x-request-id': 'err-404' } }),
        await call(app.url, 'DELETE', '/auth/login', { headers: { 'x-request-id': 'err-405' } }),
        await call(app.url, 'POST', '/auth/login', { body: jsonOfSize(LIMIT + 1), headers: { 'content-type': 'application/json', 'x-request-id': 'err-413' } }),
        await call(app.url, 'POST', '/auth/login', { body: 'a=b', headers: { 'content-type': 'text/plain', 'x-request-id': 'err-415' } }),
      ];
      expect(answers.map((a) => a.headers.get('x-request-id'))).to.deep.equal(['err-401', 'err-400', 'err-404', 'err-405', 'err-413', 'err-415']);
      const notReady = await startTestApp({ readiness: async () => false });
      try {
        expect((await call(notReady.url, 'GET', '/readyz', { headers: { 'x-request-id': 'err-503' } })).headers.get('x-request-id')).to.equal('err-503');
      } finally {
        await notReady.close();
      }
    });
  });

  describe('security headers', () => {
    it('sends X-Content-Type-Options: nosniff on successes, errors and 404s', async () => {
      const r = await register(app.url);
      for (const res of [
        await call(app.url, 'GET', '/healthz'),
        await call(app.url, 'GET', '/auth/me', { headers: bearer(r.accessToken) }),
        await call(app.url, 'GET', '/auth/me'),
        await call(app.url, 'GET', '/no/such/route'),
        await call(app.url, 'POST', '/auth/login', { body: '{', headers: { 'content-type': 'application/json' } }),
      ]) {
        expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      }
    });

    it('sends Cache-Control: no-store on every answer that carries tokens (register, login, refresh)', async () => {
      const email = uniqueEmail('cache');
      const reg = await call(app.url, 'POST', '/auth/register', { json: { email, password: GOOD_PASSWORD } });
      const log = await call(app.url, 'POST', '/auth/login', { json: { email, password: GOOD_PASSWORD } });
      const ref = await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: (log.body as { refreshToken: string }).refreshToken } });
      for (const res of [reg, log, ref]) {
        expect(res.body).to.have.property('accessToken');
        expect(res.headers.get('cache-control') ?? '').to.match(/\bno-store\b/);
      }
    });
  });

  describe('request bodies', () => {
    it('answers 400 INVALID_JSON problem+json for invalid JSON', async () => {
      for (const body of ['{', '{"email":', "{'email':'a'}", '{"a":1,}', 'undefined', 'NaN', '\u0000', '{"a":"\\x"}']) {
        const res = await call(app.url, 'POST', '/auth/login', { body, headers: { 'content-type': 'application/json' } });
        expectProblem(res, 400, 'INVALID_JSON');
      }
    });

    it('answers 400 INVALID_JSON on every JSON endpoint (register, refresh, logout)', async () => {
      for (const path of ['/auth/register', '/auth/refresh', '/auth/logout']) {
        const res = await call(app.url, 'POST', path, { body: '{"refreshToken":', headers: { 'content-type': 'application/json' } });
        expectProblem(res, 400, 'INVALID_JSON');
      }
    });

    it('accepts a body of exactly 102,400 bytes (not 413)', async () => {
      const body = jsonOfSize(LIMIT);
      expect(Buffer.byteLength(body)).to.equal(LIMIT);
      const res = await call(app.url, 'POST', '/auth/login', { body, headers: { 'content-type': 'application/json' } });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    });

    it('answers 413 to a body of 102,401 bytes sent with Content-Length', async () => {
      const res = await call(app.url, 'POST', '/auth/login', { body: jsonOfSize(LIMIT + 1), headers: { 'content-type': 'application/json' } });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 to a declared Content-Length over the limit without reading it', async () => {
      const res = await call(app.url, 'POST', '/auth/register', { body: jsonOfSize(5 * LIMIT), headers: { 'content-type': 'application/json' } });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 to a chunked body over the limit (fetch streaming, no Content-Length)', async () => {
      const body = jsonOfSize(LIMIT + 1_000);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(body);
          for (let i = 0; i < bytes.length; i += 8_192) controller.enqueue(bytes.subarray(i, i + 8_192));
          controller.close();
        },
      });
      const res = await fetch(`${app.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      });
      const text = await res.text();
      expectProblem({ status: res.status, headers: res.headers, text, body: JSON.parse(text) as unknown }, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 to a chunked body over the limit (node:http, Transfer-Encoding: chunked)', async () => {
      const body = jsonOfSize(LIMIT + 1);
      const chunks = [body.slice(0, 50_000), body.slice(50_000, 100_000), body.slice(100_000)];
      const raw = await rawRequest(app.url, {
        method: 'POST',
        path: '/auth/register',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks,
      });
      expectProblem(asApiResponse(raw), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('accepts a chunked body under the limit', async () => {
      const email = uniqueEmail('chunked');
      const raw = await rawRequest(app.url, {
        method: 'POST',
        path: '/auth/register',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks: [`{"email":"${email}",`, `"password":"${GOOD_PASSWORD}"}`],
      });
      expect(raw.status).to.equal(201);
    });

    it('answers 413 to a gzip body that inflates past the limit', async () => {
      const raw = await rawRequest(app.url, {
        method: 'POST',
        path: '/auth/login',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        chunks: [gzipSync(Buffer.from(jsonOfSize(10 * LIMIT)))],
      });
      expectProblem(asApiResponse(raw), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 415 to a body that is not JSON (form, text, multipart, xml)', async () => {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
        const res = await call(app.url, 'POST', '/auth/login', { body: 'email=a%40example.com&password=secret12', headers: { 'content-type': type } });
        expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it('answers 415 to a body with no Content-Type', async () => {
      const raw = await rawRequest(app.url, { method: 'POST', path: '/auth/login', headers: { 'content-length': '2' }, chunks: ['{}'] });
      expectProblem(asApiResponse(raw), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('accepts application/json with a charset parameter', async () => {
      const email = uniqueEmail('charset');
      const res = await call(app.url, 'POST', '/auth/register', {
        body: JSON.stringify({ email, password: GOOD_PASSWORD }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(res.status).to.equal(201);
    });
  });

  describe('routing', () => {
    it('answers 404 problem+json to an unknown route', async () => {
      for (const [method, path] of [['GET', '/nope'], ['GET', '/nope.js'], ['POST', '/auth/nope'], ['GET', '/auth'], ['GET', '/auth/me/extra'], ['GET', '/../../etc/passwd']] as const) {
        const res = await call(app.url, method, path);
        expectProblem(res, 404, 'NOT_FOUND');
      }
    });

    it('answers 405 problem+json with an Allow header to a wrong method on a known route', async () => {
      for (const [method, path, allowed] of [
        ['GET', '/auth/login', 'POST'],
        ['PUT', '/auth/register', 'POST'],
        ['DELETE', '/auth/refresh', 'POST'],
        ['GET', '/auth/logout', 'POST'],
        ['POST', '/auth/me', 'GET'],
        ['DELETE', '/healthz', 'GET'],
        ['POST', '/readyz', 'GET'],
      ] as const) {
        const res = await call(app.url, method, path);
        expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
        expect(res.headers.get('allow') ?? '', `${method} ${path}`).to.include(allowed);
      }
    });

    it('answers 405, never a 5xx, to methods no route supports (TRACE, PROPFIND, PURGE)', async () => {
      for (const method of ['TRACE', 'PROPFIND', 'PURGE']) {
        const raw = await rawRequest(app.url, { method, path: '/auth/login' });
        const res = asApiResponse(raw);
        expect(res.status, `${method} -> ${res.text}`).to.be.below(500);
        expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
        expectRequestId(res.headers.get('x-request-id'));
      }
    });
  });

  describe('requests Node’s HTTP parser refuses before Koa sees them', () => {
    it('answers an unparseable Content-Length with a 400 problem carrying X-Request-Id', async () => {
      const raw = await rawRequest(app.url, { method: 'POST', path: '/auth/login', headers: { 'content-length': 'abc' } });
      const res = asApiResponse(raw);
      expectRequestId(res.headers.get('x-request-id'), 'X-Request-Id on every response');
      expectProblem(res, 400);
    });

    it('answers a made-up method (FOO) with a 4xx problem carrying X-Request-Id', async () => {
      const raw = await rawRequest(app.url, { method: 'FOO', path: '/auth/login' });
      expect(raw.status).to.be.within(400, 499);
      const res = asApiResponse(raw);
      expectRequestId(res.headers.get('x-request-id'), 'X-Request-Id on every response');
      expectProblem(res, raw.status);
    });
  });

  describe('every answer', () => {
    /** Requests an attacker-minded client might send; none may yield a 500, a leak, or an unshaped error. */
    const catalogue = (tokens: { access: string; refresh: string }): Array<[string, string, { body?: string; json?: unknown; headers?: Record<string, string> }]> => [
      ['POST', '/auth/register', { json: { email: uniqueEmail('cat'), password: GOOD_PASSWORD } }],
      ['POST', '/auth/register', { json: { email: 'x@example.com', password: 'x'.repeat(100_000) } }],
      ['POST', '/auth/register', { json: { email: `${'a'.repeat(50_000)}@example.com`, password: GOOD_PASSWORD } }],
      ['POST', '/auth/register', { json: { email: '\ud800@example.com', password: '\udfff\ud800abcdefgh' } }],
      ['POST', '/auth/register', { json: { email: 'a@example.com', password: GOOD_PASSWORD, name: { toString: 1 } } }],
      ['POST', '/auth/register', { body: '{"__proto__":{"email":"p@example.com","password":"prototype"}}', headers: { 'content-type': 'application/json' } }],
      ['POST', '/auth/register', { body: '{"constructor":{"prototype":{"x":1}},"email":"c@example.com"}', headers: { 'content-type': 'application/json' } }],
      ['POST', '/auth/register', { body: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, headers: { 'content-type': 'application/json' } }],
      ['POST', '/auth/register', { body: '{"email":1e999,"password":-0}', headers: { 'content-type': 'application/json' } }],
      ['POST', '/auth/register', { body: '{"email":"a@example.com"}', headers: { 'content-type': 'application/json; charset=latin-9000' } }],
      ['POST', '/auth/register', { body: '{"email":"a@example.com"}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }],
      ['POST', '/auth/register', { body: '{"email":"a@example.com"}', headers: { 'content-type': 'application/json', 'content-encoding': 'br-unknown' } }],
      ['POST', '/auth/register', { body: '', headers: { 'content-type': 'application/json' } }],
      ['POST', '/auth/login', { json: { email: 'a@example.com', password: 'x'.repeat(90_000) } }],
      ['POST', '/auth/login', { json: { email: { $ne: null }, password: { $ne: null } } }],
      ['POST', '/auth/login', { json: { email: "' OR 1=1 --", password: "' OR '1'='1" } }],
      ['POST', '/auth/login', { headers: { authorization: `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}` } }],
      ['POST', '/auth/login', { headers: { authorization: `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc3]).toString('base64')}` } }],
      ['POST', '/auth/login', { headers: { authorization: 'Bearer x.y.z' } }],
      ['POST', '/auth/login', { headers: { authorization: `Basic ${'QUFB'.repeat(2_000)}` } }],
      ['POST', '/auth/login', { json: { email: 'a@example.com', password: GOOD_PASSWORD }, headers: { 'x-forwarded-for': 'not-an-ip, 999.1.1.1' } }],
      ['POST', '/auth/refresh', { json: { refreshToken: tokens.access } }],
      ['POST', '/auth/refresh', { json: { refreshToken: 'a'.repeat(90_000) } }],
      ['POST', '/auth/refresh', { json: [tokens.refresh] }],
      ['POST', '/auth/refresh', { headers: { authorization: `Bearer ${tokens.refresh}`, 'content-type': 'application/json' }, body: 'null' }],
      ['POST', '/auth/logout', { json: { refreshToken: null } }],
      ['POST', '/auth/logout', { json: { refreshToken: tokens.access } }],
      ['GET', '/auth/me', { headers: { authorization: `Bearer ${tokens.refresh}` } }],
      ['GET', '/auth/me', { headers: { authorization: 'Bearer ' + 'e'.repeat(7_000) } }],
      ['GET', '/auth/me', { headers: { authorization: `Bearer ${tokens.access}` } }],
      ['GET', '/auth/me?x=%', {}],
      ['GET', '/%', {}],
      ['GET', '/auth/%E0%A4%A', {}],
      ['PATCH', '/auth/me', {}],
      ['OPTIONS', '/auth/login', {}],
      ['HEAD', '/healthz', {}],
      ['GET', '/healthz', {}],
      ['GET', '/readyz', {}],
    ];

    it('never answers 500, never leaks internals, and shapes every error as problem+json', async () => {
      const r = await register(app.url);
      for (const [method, path, options] of catalogue({ access: r.accessToken, refresh: r.refreshToken })) {
        const res = await call(app.url, method, path, options);
        const label = `${method} ${path} ${JSON.stringify(options).slice(0, 120)} -> ${res.status} ${res.text.slice(0, 200)}`;
        expect(res.status, label).to.be.below(500);
        expectRequestId(res.headers.get('x-request-id'), label);
        expect(res.headers.get('x-content-type-options'), label).to.equal('nosniff');
        expect(secretKeysIn(res.body), label).to.deep.equal([]);
        if (res.status >= 400 && method !== 'HEAD') {
          expectProblem(res, res.status);
        } else if (res.body && typeof res.body === 'object' && 'accessToken' in res.body) {
          expect(res.headers.get('cache-control') ?? '', label).to.match(/\bno-store\b/);
        } else {
          expectNoLeak(res);
        }
      }
    });

    it('turns an unexpected failure inside into a generic 500 problem: no stack, no SQL, no driver text', async () => {
      const sqlFailure = Object.assign(
        new Error("select * from `users` where `email` = 'x' - ER_NO_SUCH_TABLE: Table 'auth.users' doesn't exist"),
        { code: 'ER_NO_SUCH_TABLE', sql: 'select * from `users`' },
      );
      class BrokenUserRepository extends InMemoryUserRepository {
        override findByEmail(): Promise<never> {
          return Promise.reject(sqlFailure);
        }
      }
      const broken = await startTestApp({ override: (c) => c.register(TOKENS.UserRepository, { useValue: new BrokenUserRepository() }) });
      try {
        const res = await call(broken.url, 'POST', '/auth/login', { json: { email: 'x@example.com', password: GOOD_PASSWORD }, headers: { 'x-request-id': 'boom-1' } });
        const body = expectProblem(res, 500);
        expect(res.headers.get('x-request-id')).to.equal('boom-1');
        expect(res.text).to.not.include('ER_NO_SUCH_TABLE');
        expect(res.text).to.not.include('users');
        expect(Object.keys(body).sort()).to.deep.equal(['code', 'detail', 'status', 'title', 'type']);
      } finally {
        await broken.close();
      }
    });

    it('answers 401 problems with a WWW-Authenticate: Bearer challenge', async () => {
      for (const res of [
        await call(app.url, 'GET', '/auth/me'),
        await call(app.url, 'GET', '/auth/me', { headers: bearer('x.y.z') }),
        await call(app.url, 'POST', '/auth/refresh'),
        await call(app.url, 'POST', '/auth/logout', { json: { refreshToken: 'x.y.z' } }),
      ]) {
        expectProblem(res, 401);
        expect(res.headers.get('www-authenticate') ?? '').to.match(/^Bearer\b/);
      }
    });
  });
});
