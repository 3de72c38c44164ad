import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, freePort, type ApiResponse } from '../support/http.js';
import { expectProblem, expectRequestId, TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './helpers.js';
import { capturingLogger } from '../support/log-capture.js';

/**
 * docs/operations.md: GET /metrics is open in development; in production it
 * needs `Authorization: Bearer <METRICS_TOKEN>` on the main port, or is served only on
 * METRICS_PORT (bound to HOST) when that is set, and is off (404) with neither, with a start-up
 * log line saying which. A METRICS_TOKEN that is set is required in development too. Checked from
 * outside, as a scraper and as anyone else who finds the port would try it.
 */

const TOKEN = 'metrics-token-0123456789-abcdef';
const PRODUCTION = { NODE_ENV: 'production' };

const scrape = (base: string, headers: Record<string, string> = {}) => call(base, 'GET', '/metrics', { headers });

function expectMetrics(res: ApiResponse, label: string): void {
  expect(res.status, `${label}: ${res.text.slice(0, 200)}`).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain/);
  expect(res.text).to.contain('http_requests_total');
}

function expectUnauthorized(res: ApiResponse, label: string): void {
  expect(res.status, `${label}: ${res.text.slice(0, 200)}`).to.equal(401);
  expectProblem(res, 401, 'INVALID_METRICS_TOKEN');
  expect(res.headers.get('www-authenticate'), label).to.equal('Bearer realm="metrics"');
  expectRequestId(res.headers.get('x-request-id'));
  expect(res.text, `${label}: no metric in a refusal`).not.to.contain('process_');
}

/** What an outsider tries instead of the token. */
const WRONG: Record<string, Record<string, string>> = {
  'no Authorization': {},
  'an empty Bearer': { authorization: 'Bearer ' },
  'the token one character off': { authorization: `Bearer ${TOKEN.slice(0, -1)}g` },
  'a prefix of the token': { authorization: `Bearer ${TOKEN.slice(0, 16)}` },
  'the token and more': { authorization: `Bearer ${TOKEN}x` },
  'the token as Basic credentials': { authorization: `Basic ${Buffer.from(`metrics:${TOKEN}`).toString('base64')}` },
  'the token without a scheme': { authorization: TOKEN },
  'the token in another header': { 'x-metrics-token': TOKEN },
};

async function withApp(env: Record<string, string>, run: (app: TestApp, startLines: Array<Record<string, unknown>>) => Promise<void>): Promise<void> {
  const capture = capturingLogger();
  const app = await startTestApp({ env, logger: capture.logger });
  try {
    const startLines = capture.entries().filter((e) => e.metrics !== undefined);
    await run(app, startLines);
  } finally {
    await app.close();
  }
}

describe('GET /metrics access (METRICS_TOKEN, METRICS_PORT)', () => {
  it('is open in development without METRICS_TOKEN, and says so at start', async () => {
    await withApp({}, async (app, startLines) => {
      expectMetrics(await scrape(app.url), 'open');
      expect(startLines.map((l) => l.metrics)).to.deep.equal(['open']);
    });
  });

  for (const [mode, env] of [
    ['development', {}],
    ['production', PRODUCTION],
  ] as const) {
    it(`needs Authorization: Bearer <METRICS_TOKEN> on the main port in ${mode} when METRICS_TOKEN is set, and says so at start`, async () => {
      await withApp({ ...env, METRICS_TOKEN: TOKEN }, async (app, startLines) => {
        for (const [what, headers] of Object.entries(WRONG)) expectUnauthorized(await scrape(app.url, headers), what);
        expectMetrics(await scrape(app.url, { authorization: `Bearer ${TOKEN}` }), 'the right token');
        expectMetrics(await scrape(app.url, { authorization: `bearer  ${TOKEN} ` }), 'the scheme in any case, spaces around');
        expect(startLines.map((l) => l.metrics)).to.deep.equal(['token']);
      });
    });
  }

  it('is off (404 problem) in production with neither METRICS_TOKEN nor METRICS_PORT, and warns at start', async () => {
    await withApp(PRODUCTION, async (app, startLines) => {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
        expectProblem(await scrape(app.url, headers), 404, 'NOT_FOUND');
      }
      expectProblem(await scrape(`${app.url}/`), 404, 'NOT_FOUND');
      expect(startLines.map((l) => [l.metrics, l.level])).to.deep.equal([['off', 40]]);
    });
  });

  for (const [mode, env] of [
    ['development', {}],
    ['production', PRODUCTION],
  ] as const) {
    it(`is served only on METRICS_PORT (bound to HOST) in ${mode} when it is set: the main port answers 404`, async () => {
      const port = await freePort();
      await withApp({ ...env, METRICS_PORT: String(port) }, async (app, startLines) => {
        expect(app.metricsUrl).to.equal(`http://127.0.0.1:${port}`);
        expectMetrics(await scrape(app.metricsUrl as string), 'the metrics port');
        expectProblem(await scrape(app.url), 404, 'NOT_FOUND');
        const other = await call(app.metricsUrl as string, 'GET', '/auth/me');
        expectProblem(other, 404, 'NOT_FOUND');
        expectRequestId(other.headers.get('x-request-id'));
        expect(other.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(startLines.map((l) => [l.metrics, l.url])).to.deep.equal([['port', `http://127.0.0.1:${port}`]]);
      });
    });
  }

  it('asks for METRICS_TOKEN on METRICS_PORT too when both are set, and never serves the main port', async () => {
    const port = await freePort();
    await withApp({ ...PRODUCTION, METRICS_PORT: String(port), METRICS_TOKEN: TOKEN }, async (app) => {
      const metricsUrl = app.metricsUrl as string;
      for (const [what, headers] of Object.entries(WRONG)) expectUnauthorized(await scrape(metricsUrl, headers), `metrics port, ${what}`);
      expectMetrics(await scrape(metricsUrl, { authorization: `Bearer ${TOKEN}` }), 'the metrics port with the token');
      expectProblem(await scrape(app.url, { authorization: `Bearer ${TOKEN}` }), 404, 'NOT_FOUND');
    });
  });

  it('is started on METRICS_PORT by main itself (npm start), in production, and the main port answers 404', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'auth-metrics-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
        JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite3')}`,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => (stdout += chunk));
    try {
      const base = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 200 && !up; i++) {
        up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up, 'the service started').to.equal(true);
      expectMetrics(await scrape(`http://127.0.0.1:${metricsPort}`), 'METRICS_PORT of main');
      expectProblem(await scrape(base), 404, 'NOT_FOUND');
      // main writes its lines as they happen, so the start-up line is there once it answers.
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metrics?: string; url?: string; msg?: string });
      const line = lines.find((l) => l.metrics === 'port');
      expect(line?.msg, 'the start-up line says where /metrics is').to.contain('only on METRICS_PORT');
      expect(line?.url).to.equal(`http://127.0.0.1:${metricsPort}`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is never proxied by deploy/nginx.conf: its /metrics location answers 404 for every path the service serves as /metrics', async () => {
    const conf = readFileSync('deploy/nginx.conf', 'utf8');
    const block = /location ~\*\s+(\S+)\s*\{([^}]*)\}/.exec(conf);
    expect(block, 'a case-insensitive regex location for /metrics').to.not.equal(null);
    const [, pattern = '', body = ''] = block ?? [];
    expect(body).to.match(/return 404/);
    expect(body).not.to.match(/proxy_pass/);
    // nginx matches the decoded path with slashes merged; the service's router is what defines the variants.
    const blocked = new RegExp(pattern, 'i');
    await withApp({}, async (app) => {
      for (const path of ['/metrics', '/METRICS', '/Metrics', '/metrics/', '/MeTrIcS/']) {
        expect((await call(app.url, 'GET', path)).status, `the service serves ${path}`).to.equal(200);
        expect(blocked.test(path), `nginx blocks ${path}`).to.equal(true);
      }
      for (const path of ['/metricsx', '/metrics.txt', '/auth/metrics']) {
        expect((await call(app.url, 'GET', path)).status, `the service does not serve ${path}`).to.equal(404);
      }
    });
  });
});
