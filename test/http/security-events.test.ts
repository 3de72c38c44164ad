import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { TOKENS } from '../../src/composition/tokens.js';
import type { AuditLog } from '../../src/domain/ports/audit-log.js';
import type { UserRepository } from '../../src/domain/ports/user-repository.js';
import { startTestApp } from '../support/app.js';
import { appDatabase, type SQLITE_BACKEND } from '../support/backends.js';
import { call, register, uniqueEmail } from '../support/http.js';
import { capturingLogger } from '../support/log-capture.js';
import { expectTokenAnswer, login, NO_THROTTLE } from './helpers.js';

describe('security events: never in the way', function () {
  this.timeout(20_000);

  it('answers as ever when the event store fails, and logs AUDIT_WRITE_FAILED with the type only', async () => {
    const logs = capturingLogger('info');
    const failing: AuditLog = {
      append: () => Promise.reject(new Error('insert into security_events values (secret) - connection lost')),
      list: () => Promise.resolve([]),
      prune: () => Promise.resolve(0),
      scrub: () => Promise.resolve(),
    };
    const app = await startTestApp({ logger: logs.logger, env: { ...NO_THROTTLE, LOG_LEVEL: 'info', EMAIL_VERIFICATION: 'off' }, override: (c) => c.register(TOKENS.AuditLog, { useValue: failing }) });
    try {
      const r = await register(app.url, uniqueEmail('resilient'));
      expectTokenAnswer(await login(app.url, r.email), 200);
      const failures = logs.entries().filter((e) => e.code === 'AUDIT_WRITE_FAILED');
      expect(failures.map((e) => e.eventType)).to.include.members(['user.registered', 'login.succeeded']);
      expect(logs.lines.join('\n')).to.not.include('secret').and.not.include('insert into');
    } finally {
      await app.close();
    }
  });

  it('counts events by type in /metrics', async () => {
    const app = await startTestApp({ env: { ...NO_THROTTLE, EMAIL_VERIFICATION: 'off' } });
    try {
      const read = async () => {
        const text = (await call(app.url, 'GET', '/metrics')).text;
        return Number(/auth_security_events_total\{type="user\.registered"\} (\d+)/.exec(text)?.[1] ?? 0);
      };
      const before = await read();
      await register(app.url, uniqueEmail('counted'));
      expect(await read()).to.equal(before + 1);
    } finally {
      await app.close();
    }
  });
});

/** `npm run admin -- …` runs the built file; the test runs its source the same way, on a SQLite file. */
function admin(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/admin.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run admin -- grant|revoke <email> <role>', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  let app: Awaited<ReturnType<typeof SQLITE_BACKEND.start>> | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'admin-cli-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'cli.sqlite3')}`, LOG_LEVEL: 'silent', MAIL_OUTBOX_DIR: join(dir, 'outbox') };
    // CACHE_TTL_MS=0: the CLI is another process, so a running instance with the per-instance cache
    // on would see its change only once the cached user expires (docs/admin.md says so).
    const started = await startTestApp({ persistence: 'database', env: { ...env, ...NO_THROTTLE, EMAIL_VERIFICATION: 'off', CACHE_TTL_MS: '0' } });
    await migrateToLatest(appDatabase(started));
    app = { app: started, stop: async () => { await started.close(); await appDatabase(started).destroy(); } };
  });
  after(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('grants and revokes a role by email, on the same database the service uses; the guard sees it at once', async () => {
    const r = await register(app!.app.url, uniqueEmail('cli'));
    expectProblemStatus(await call(app!.app.url, 'GET', '/admin/users', { headers: { authorization: `Bearer ${r.accessToken}` } }), 403);

    const granted = await admin(['grant', r.email.toUpperCase(), 'admin'], env);
    expect(granted.code, granted.stderr).to.equal(0);
    expect(granted.stdout).to.include('granted admin').and.include(r.email);
    expect((await call(app!.app.url, 'GET', '/admin/users', { headers: { authorization: `Bearer ${r.accessToken}` } })).status).to.equal(200);

    const support = await admin(['grant', r.email, 'support'], env);
    expect(support.code).to.equal(0);
    expect((await app!.app.container.resolve<UserRepository>(TOKENS.UserRepository).findById(r.user.id))?.roles).to.deep.equal(['admin', 'support']);
    expect((await admin(['revoke', r.email, 'support'], env)).code).to.equal(0);

    const last = await admin(['revoke', r.email, 'admin'], env);
    expect(last.code).to.equal(1);
    expect(last.stderr).to.include('last enabled administrator');
  });

  it('exits non-zero with a message for an unknown email, an invalid role name, and a wrong command', async () => {
    const unknown = await admin(['grant', 'nobody@example.com', 'admin'], env);
    expect([unknown.code, unknown.stderr]).to.deep.equal([1, 'no account has the email nobody@example.com\n']);
    const r = await register(app!.app.url, uniqueEmail('cli-bad'));
    const bad = await admin(['grant', r.email, 'Not A Role'], env);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include('refused').and.include('Not A Role');
    const usage = await admin(['promote', r.email], env);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.include('usage: npm run admin -- grant|revoke <email> <role>');
  });
});

function expectProblemStatus(res: { status: number }, status: number): void {
  expect(res.status).to.equal(status);
}
