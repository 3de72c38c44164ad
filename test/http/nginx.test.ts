import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestApp, type TestApp } from '../support/app.js';
import { call, freePort } from '../support/http.js';
import { expectProblem, expectRequestId } from './helpers.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const CONFIG = resolve(import.meta.dirname, '../../deploy/nginx.conf');

/**
 * deploy/nginx.conf as docker-compose runs it, in front of two local instances instead of the
 * compose service `auth` (Docker's resolver and nginx 1.27's `resolve` are the only lines taken
 * out: Debian's nginx is 1.22, and there is no Docker DNS here).
 */
function localSite(listenPort: number, upstreams: readonly number[]): string {
  const site = readFileSync(CONFIG, 'utf8')
    .replace(/^resolver .*$/m, '')
    .replace(/^\s*server auth:3000 .*$/m, upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n'))
    .replace('listen 80 default_server;', `listen 127.0.0.1:${listenPort};`);
  expect(site, 'the upstream line was replaced').not.to.match(/^\s*server auth:/m);
  return site;
}

/** A request whose path goes out byte for byte (fetch would resolve `..` and `.` before sending). */
function rawRequest(base: string, method: string, path: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, method, path }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail).end();
  });
}

describe('deploy/nginx.conf in front of two instances (real nginx)', function () {
  this.timeout(20_000);
  let dir: string;
  let nginx: ChildProcess | undefined;
  let apps: TestApp[] = [];
  let base: string;

  before(async function () {
    if (!existsSync(NGINX)) {
      process.stderr.write(`\n  !! ${NGINX} not found: the nginx suite is SKIPPED (apt-get install nginx-light; CI installs it).\n\n`);
      this.skip();
    }
    apps = [await startTestApp({ env: { TRUST_PROXY: 'true' } }), await startTestApp({ env: { TRUST_PROXY: 'true' } })];
    dir = mkdtempSync(join(tmpdir(), 'auth-nginx-'));
    mkdirSync(join(dir, 'logs'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'site.conf'), localSite(port, apps.map((a) => Number(new URL(a.url).port))));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, k)};`).join(' ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'logs', 'error.log')};\nevents {}\nhttp {\n  access_log off;\n  ${temp}\n  include ${join(dir, 'site.conf')};\n}\n`,
    );
    execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('nginx did not start');
  });

  after(async () => {
    nginx?.kill('SIGTERM');
    await Promise.all(apps.map((a) => a.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('proxies the API to the instances', async () => {
    const res = await call(base, 'GET', '/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('never proxies /metrics, in any spelling the service would route, while the instances themselves serve it', async () => {
    expect((await call(apps[0]?.url as string, 'GET', '/metrics')).status, 'the control: an instance serves /metrics').to.equal(200);
    for (const path of ['/metrics', '/METRICS', '/Metrics', '/metrics/', '//metrics', '/%6Detrics', '/metrics?format=text', '/./metrics']) {
      const res = await call(base, 'GET', path);
      expectProblem(res, 404, 'NOT_FOUND');
      expectRequestId(res.headers.get('x-request-id'));
      expect(res.text, path).not.to.contain('process_cpu');
    }
  });

  it('never proxies /metrics spelled with dot segments, encoded bytes, parameters or another method', async () => {
    const spellings = ['/auth/../metrics', '/healthz/../metrics', '/%2e/metrics', '/%2Fmetrics', '/metrics%2F', '/metrics;x',
      '/%6d%65%74%72%69%63%73', '/metrics//', '/Metrics/', 'http://auth/metrics', '/metrics%3Fformat'];
    for (const method of ['GET', 'HEAD']) {
      for (const path of spellings) {
        const res = await rawRequest(base, method, path);
        expect(res.status, `${method} ${path}`).to.equal(404);
        expect(res.text, `${method} ${path}`).not.to.match(/process_cpu|http_requests_total/);
      }
    }
  });

  it("answers its own 413 as the API's problem", async () => {
    const res = await call(base, 'POST', '/auth/login', { body: 'x'.repeat(200 * 1024), headers: { 'content-type': 'application/json' } });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });
});
