import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GOOD_PASSWORD } from '../support/http.js';

interface Running {
  readonly child: ChildProcess;
  readonly base: string;
  /** Every stdout line so far, in order. */
  readonly lines: string[];
  /** Resolves with the lines seen once the process has exited and its stdout is closed. */
  readonly closed: Promise<string[]>;
}

/** main.ts in its own process, as `npm start` runs it, with stdout captured line by line. */
async function startService(dir: string, env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'db.sqlite3')}`, BCRYPT_COST: '4', ...env };
  delete childEnv.JWT_ACCESS_SECRET;
  delete childEnv.JWT_REFRESH_SECRET;
  delete childEnv.LOG_LEVEL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  const closed = new Promise<string[]>((resolve) => child.stdout?.once('close', () => resolve(lines)));
  return { child, base: `http://127.0.0.1:${port}`, lines, closed };
}

/** Waits until a line matching `pattern` has been written (the service logs it when it happens). */
async function lineMatching(running: Running, pattern: RegExp): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const index = running.lines.findIndex((l) => pattern.test(l));
    if (index >= 0) return index;
    if (running.child.exitCode !== null) throw new Error(`the service exited (${running.child.exitCode}): ${running.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no line matched ${pattern}: ${running.lines.join('\n')}`);
}

describe('logs of the running service (main.ts)', function () {
  this.timeout(30_000);
  let dir: string;
  let running: Running | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-process-logs-'));
  });
  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the development-default warnings as its first lines, before it listens', async () => {
    running = await startService(dir, {});
    const listening = await lineMatching(running, /auth service listening/);
    const first = running.lines.slice(0, 2).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(first.map((l) => l.level)).to.deep.equal([40, 40]);
    expect(first[0]?.msg).to.contain('JWT_ACCESS_SECRET');
    expect(first[1]?.msg).to.contain('JWT_REFRESH_SECRET');
    expect(listening).to.be.greaterThan(1);
  });

  it('loses no line to a kill -9: every request answered before it is in the log', async () => {
    running = await startService(dir, {});
    await lineMatching(running, /auth service listening/);
    const ids = ['crash-safe-1', 'crash-safe-2', 'crash-safe-3'];
    const register = await fetch(`${running.base}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': ids[0] as string },
      body: JSON.stringify({ email: 'crash-safe@example.com', password: GOOD_PASSWORD }),
    });
    expect(register.status).to.equal(201);
    for (const id of ids.slice(1)) expect((await fetch(`${running.base}/healthz`, { headers: { 'x-request-id': id } })).status).to.equal(200);

    running.child.kill('SIGKILL');
    const lines = await running.closed;
    const logged = lines.map((l) => JSON.parse(l) as { msg?: string; requestId?: string }).filter((l) => l.msg === 'request');
    expect(logged.map((l) => l.requestId)).to.include.members(ids);
  });

  it('with LOG_FORMAT=pretty writes lines a person reads, warnings first', async () => {
    running = await startService(dir, { LOG_FORMAT: 'pretty' });
    await lineMatching(running, /auth service listening/);
    expect((await fetch(`${running.base}/healthz`, { headers: { 'x-request-id': 'pretty-1' } })).status).to.equal(200);
    await lineMatching(running, /GET \/healthz 200/);
    expect(running.lines[0]).to.match(/WARN.*JWT_ACCESS_SECRET/);
    expect(() => JSON.parse(running?.lines[0] as string)).to.throw();
    expect(running.lines.find((l) => /GET \/healthz 200/.test(l))).to.contain('pretty-1');
  });
});
