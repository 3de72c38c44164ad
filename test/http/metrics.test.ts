import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.js';
import { bearer, call, register } from '../support/http.js';

/** The value of one Prometheus sample (0 when absent). Metrics are per process, so tests compare deltas. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!/^[{ ]/.test(rest)) continue;
    if (wanted.every((w) => rest.includes(w))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('GET /metrics', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { LOGIN_MAX_FAILURES: '2', REFRESH_REUSE_GRACE_SECONDS: '0' } });
  });
  after(() => app.close());
  const scrape = async () => (await call(app.url, 'GET', '/metrics')).text;

  it('serves Prometheus text with process metrics', async () => {
    const res = await call(app.url, 'GET', '/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    expect(res.text).to.contain('process_resident_memory_bytes');
    expect(res.text).to.contain('nodejs_eventloop_lag_p99_seconds');
  });

  it('counts requests by route pattern and status, with a latency histogram', async () => {
    const user = await register(app.url);
    const before = await scrape();
    await call(app.url, 'GET', '/auth/me', { headers: bearer(user.accessToken) });
    await call(app.url, 'GET', '/auth/me');
    const after = await scrape();
    const ok = { method: 'GET', route: '/auth/me', status: '200' };
    const unauthorized = { method: 'GET', route: '/auth/me', status: '401' };
    expect(sample(after, 'http_requests_total', ok) - sample(before, 'http_requests_total', ok)).to.equal(1);
    expect(sample(after, 'http_requests_total', unauthorized) - sample(before, 'http_requests_total', unauthorized)).to.equal(1);
    const count = { method: 'GET', route: '/auth/me' };
    expect(sample(after, 'http_request_duration_seconds_count', count) - sample(before, 'http_request_duration_seconds_count', count)).to.equal(2);
  });

  it('counts failed logins, throttled sign-ins and refresh-token reuse', async () => {
    const user = await register(app.url);
    const before = await scrape();
    for (let i = 0; i < 2; i++) await call(app.url, 'POST', '/auth/login', { json: { email: user.email, password: 'wrong password!' } });
    expect((await call(app.url, 'POST', '/auth/login', { json: { email: user.email, password: user.password } })).status).to.equal(429);
    await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: user.refreshToken } });
    expect((await call(app.url, 'POST', '/auth/refresh', { json: { refreshToken: user.refreshToken } })).status).to.equal(401);
    const after = await scrape();
    const delta = (name: string) => sample(after, name) - sample(before, name);
    expect(delta('auth_logins_failed_total')).to.equal(2);
    expect(delta('auth_throttled_total')).to.equal(1);
    expect(delta('auth_refresh_reuse_detected_total')).to.equal(1);
  });
});
