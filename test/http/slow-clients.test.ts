import { expect } from 'chai';
import { KEEP_ALIVE_TIMEOUT_MS, serverLimits } from '../../src/adapters/http/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { testConfig } from '../support/config.js';
import { call } from '../support/http.js';
import { capturingLogger } from '../support/log-capture.js';
import { expectRawProblem, RawConnection, type RawAnswer } from './raw-http.js';

/**
 * docs/operations.md: slow clients cannot pin the process. Each test waits on a
 * real server timeout, so each configures it short (1–2 s) and is bounded by its mocha timeout:
 * with Node's defaults (300 s request timeout, 60 s headers timeout, checked every 30 s) or no
 * connection cap, every one of them would time out instead of passing.
 */

const HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: slow.test\r\n\r\n';

async function withApp(env: Record<string, string>, run: (app: TestApp) => Promise<void>, options: Parameters<typeof startTestApp>[0] = {}): Promise<void> {
  const app = await startTestApp({ ...options, env });
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

/** The app still answers, at once, on a new connection. */
async function expectStillServing(app: TestApp): Promise<void> {
  const res = await call(app.url, 'GET', '/healthz');
  expect(res.status).to.equal(200);
}

/** 408 REQUEST_TIMEOUT as problem+json with a request id, and then the server closes the connection. */
async function expectTimedOut(connection: RawConnection, label: string): Promise<RawAnswer> {
  const answer = await connection.answer();
  expectRawProblem(answer, 408, 'REQUEST_TIMEOUT', label);
  expect(answer.headers.connection, `${label}: Connection`).to.equal('close');
  await connection.whenClosed();
  return answer;
}

describe('Slow and numerous clients (docs/http-api.md "Limits")', () => {
  it('answers 408 and closes the connection when the headers dribble in past HEADERS_TIMEOUT_SECONDS', async function () {
    this.timeout(8000);
    // The request timeout is far away: only the headers timeout can end this.
    await withApp({ HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '120' }, async (app) => {
      const slow = await RawConnection.open(app.url);
      slow.write('GET /healthz HTTP/1.1\r\nHost: slow.test\r\nX-Slow: ').dribble('a'.repeat(1000), 100);
      await expectTimedOut(slow, 'headers');
      await expectStillServing(app);
    });
  });

  it('answers 408 with the request’s own X-Request-Id and closes the connection when the body dribbles in past REQUEST_TIMEOUT_SECONDS', async function () {
    this.timeout(8000);
    const capture = capturingLogger();
    await withApp({ HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' }, async (app) => {
      const slow = await RawConnection.open(app.url);
      const body = JSON.stringify({ email: 'slow@example.com', password: 'correct horse battery', pad: 'p'.repeat(200) });
      slow
        .write(
          'POST /auth/login HTTP/1.1\r\nHost: slow.test\r\nContent-Type: application/json\r\n' +
            `Content-Length: ${body.length}\r\nX-Request-Id: slow-body-1\r\n\r\n`,
        )
        .dribble(body, 100);
      const answer = await expectTimedOut(slow, 'body');
      // Koa had the request (it was reading the body): the answer is the one it gave an id to.
      expect(answer.headers['x-request-id']).to.equal('slow-body-1');
      expect(answer.headers['set-cookie']).to.equal(undefined);
      await expectStillServing(app);
      // Koa's middleware finished (it did not hang on the aborted body): the request is logged as a 408.
      const logged = () => capture.entries().find((e) => e.msg === 'request' && e.requestId === 'slow-body-1');
      for (let i = 0; i < 50 && !logged(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(logged(), 'the access log line').to.include({ status: 408, method: 'POST' });
    }, { logger: capture.logger });
  });

  it('answers a request whose body arrives in time normally, on the same settings', async () => {
    await withApp({ HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2' }, async (app) => {
      const res = await call(app.url, 'POST', '/auth/login', { json: { email: 'nobody@example.com', password: 'correct horse battery' } });
      expect(res.status).to.equal(401);
    });
  });

  it('closes an idle keep-alive connection after its keep-alive timeout (5 s as configured; 2 s here)', async function () {
    this.timeout(5000);
    await withApp(
      {},
      async (app) => {
        const idle = await RawConnection.open(app.url);
        const first = await idle.write(HEALTHZ).answer();
        expect(first.status).to.equal(200);
        // Announced a second before the server closes, so a client never sends on a closing connection.
        expect(first.headers['keep-alive'], 'the connection is kept alive').to.equal('timeout=1');
        await idle.whenClosed();
        expect(idle.text, 'nothing more was sent').to.equal('');
      },
      { serverLimits: { keepAliveTimeoutMs: 2000 } },
    );
  });

  it('keeps idle connections for 5 s as the service is configured (announcing Keep-Alive: timeout=4)', async () => {
    expect(serverLimits(testConfig().limits).keepAliveTimeoutMs).to.equal(KEEP_ALIVE_TIMEOUT_MS).and.equal(5000);
    await withApp({}, async (app) => {
      const connection = await RawConnection.open(app.url);
      try {
        const answer = await connection.write(HEALTHZ).answer();
        expect(answer.headers['keep-alive']).to.equal('timeout=4');
      } finally {
        connection.close();
      }
    });
  });

  it('refuses connections over MAX_CONNECTIONS at accept, and accepts again once one closes', async function () {
    this.timeout(8000);
    await withApp({ MAX_CONNECTIONS: '3' }, async (app) => {
      // Three connections the server has certainly accepted: each has had an answer, and stays open.
      const held: RawConnection[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await RawConnection.open(app.url);
        expect((await c.write(HEALTHZ).answer()).status).to.equal(200);
        held.push(c);
      }
      const refused = await RawConnection.open(app.url);
      refused.write(HEALTHZ);
      await refused.whenClosed();
      expect(refused.text, 'the fourth connection got no answer at all').to.equal('');

      held.shift()?.close();
      let served: RawAnswer | null = null;
      for (let attempt = 0; attempt < 40 && served === null; attempt++) {
        const again = await RawConnection.open(app.url);
        served = await again.write(HEALTHZ).answer().catch(() => null);
        again.close();
        if (served === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(served?.status, 'a connection is accepted once one of the three closed').to.equal(200);
      for (const c of held) c.close();
    });
  });
});
