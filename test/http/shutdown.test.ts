import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GOOD_PASSWORD } from '../support/http.js';


/** The service as `npm start` runs it (main.ts), in its own process, on a temporary SQLite file. */
describe('graceful shutdown (SIGTERM)', function () {
  this.timeout(30_000);
  let child: ChildProcess;
  let dir: string;
  let base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-shutdown-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'db.sqlite3')}`, BCRYPT_COST: '9', LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '1500' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the service did not start');
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains (not ready, still serving), finishes every request in flight, then exits cleanly', async () => {
    const email = 'shutdown@example.com';
    const registered = await fetch(`${base}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    expect(registered.status).to.equal(201);

    // Logins take tens of ms each (bcrypt), so these are still running when SIGTERM arrives.
    const inFlight = Array.from({ length: 24 }, () =>
      fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: GOOD_PASSWORD }),
      }).then(
        (r) => r.status,
        (err: unknown) => `failed: ${(err as Error).message}`,
      ),
    );
    await new Promise((r) => setTimeout(r, 150));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // Draining: a load balancer's probe sees 503 while the service still answers requests.
    expect((await fetch(`${base}/readyz`)).status).to.equal(503);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);

    const statuses = await Promise.all(inFlight);
    expect(statuses).to.deep.equal(statuses.map(() => 200));
    expect(await exited).to.equal(0);
  });
});
