import { expect } from 'chai';
import { TOKENS } from '../../src/composition/tokens.js';
import type { TokenStore } from '../../src/domain/ports/token-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, GOOD_PASSWORD, register } from '../support/http.js';
import { capturingLogger } from '../support/log-capture.js';


const settle = () => new Promise((r) => setTimeout(r, 20));

describe('request logs', () => {
  let app: TestApp;
  let lines: string[];

  before(async () => {
    const capture = capturingLogger();
    lines = capture.lines;
    app = await startTestApp({ logger: capture.logger });
  });
  after(() => app.close());

  it('writes one line per request with request id, route, status, duration and user id', async () => {
    const user = await register(app.url);
    lines.length = 0;
    await call(app.url, 'GET', '/auth/me', { headers: { ...bearer(user.accessToken), 'x-request-id': 'log-test-1' } });
    await settle();
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'request');
    expect(entries).to.have.length(1);
    expect(entries[0]).to.include({ requestId: 'log-test-1', method: 'GET', route: '/auth/me', status: 200, userId: user.user.id });
    expect(entries[0]?.durationMs).to.be.a('number');
  });

  it('logs the route pattern, never the raw path or query', async () => {
    const user = await register(app.url);
    lines.length = 0;
    await call(app.url, 'DELETE', '/auth/sessions/some-session-id?secret=query-value', { headers: bearer(user.accessToken) });
    await settle();
    const text = lines.join('\n');
    expect(text).to.contain('/auth/sessions/:id');
    expect(text).not.to.contain('some-session-id');
    expect(text).not.to.contain('query-value');
  });

  it('never writes an Authorization header, a cookie, a password or a token', async () => {
    lines.length = 0;
    const password = 'Sup3r secret passw0rd';
    const r = await call(app.url, 'POST', '/auth/register', { json: { email: 'logs@example.com', password } });
    const { accessToken, refreshToken } = r.body as { accessToken: string; refreshToken: string };
    await call(app.url, 'POST', '/auth/login', { json: { email: 'logs@example.com', password: 'wrong but secret 42' } });
    await call(app.url, 'POST', '/auth/login', { headers: { authorization: `Basic ${Buffer.from(`logs@example.com:${password}`).toString('base64')}` } });
    await call(app.url, 'GET', '/auth/me', { headers: { ...bearer(accessToken), cookie: `access_token=${accessToken}; csrf_token=csrf-cookie-value` } });
    await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken } });
    await call(app.url, 'POST', '/auth/password', { headers: bearer(accessToken), json: { currentPassword: password, newPassword: GOOD_PASSWORD } });
    await settle();
    const text = lines.join('\n');
    expect(lines.length).to.be.greaterThan(5);
    for (const secret of [password, 'wrong but secret 42', accessToken, refreshToken, 'csrf-cookie-value', 'Basic ', 'Bearer ']) {
      expect(text, secret).not.to.contain(secret);
    }
  });

  it('logs an unexpected failure without SQL, values or a stack, tied to its request id', async () => {
    const capture = capturingLogger();
    const failing = await startTestApp({
      logger: capture.logger,
      override: (c) => {
        const store = c.resolve<TokenStore>(TOKENS.TokenStore);
        c.register(TOKENS.TokenStore, {
          useValue: {
            ...store,
            create: store.create.bind(store),
            find: () => Promise.reject(new Error("select * from `sessions` where `id` = 'secret-session-value' - SQLITE_CORRUPT")),
          } satisfies TokenStore,
        });
      },
    });
    try {
      const user = await register(failing.url);
      const res = await call(failing.url, 'GET', '/auth/me', { headers: { ...bearer(user.accessToken), 'x-request-id': 'boom-1' } });
      expect(res.status).to.equal(500);
      await settle();
      const text = capture.lines.join('\n');
      const errorLine = capture.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'unhandled error');
      expect(errorLine).to.include({ requestId: 'boom-1' });
      expect(text).not.to.match(/select \*|secret-session-value|\n\s+at /);
      expect(text).not.to.contain('"stack"');
    } finally {
      await failing.close();
    }
  });
});
