/**
 * README's shell examples are run, in order, against the real service.
 *
 * The rule for README.md (write new examples by it):
 * - Every block fenced ```sh (or ```bash, ```shell) runs. All of them run in ONE bash process
 *   under `set -euo pipefail`, in the order they appear, with `API` set to the started service;
 *   so a block starts with `API=${API:-http://localhost:3000}`, captures tokens with `jq -r`, and
 *   a request that should succeed uses `curl --fail-with-body` (or `-f`).
 * - A block that is not meant to run here (install commands, a second service, Docker, a real
 *   GitHub) is fenced ```console or ```text, or is preceded by a line `<!-- not-run: reason -->`.
 *
 * The service gets a grace of 0 for refresh-token reuse: a rotated refresh token presented again
 * is then reuse, as it is for a reader past the 10-second grace, and revokes the session, so an
 * example that keeps using a spent refresh token fails here instead of passing within the grace.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { migrateToLatest } from '../../src/adapters/persistence/knex/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appDatabase } from '../support/backends.js';
import { fencedBlocks, type FencedBlock } from './markdown.js';

const RUNNABLE = new Set(['sh', 'bash', 'shell']);
const NOT_RUN = /^<!--\s*not-run:\s*\S.*-->$/;

const runnable = (block: FencedBlock) => RUNNABLE.has(block.lang) && !NOT_RUN.test(block.preceding);

// What the walk-through prints, line by line, when every step got the answer README says it gets.
const EXPECTED_OUTPUT: readonly RegExp[] = [
  /^ada@example\.com$/, // register: the user, signed in
  /^Ada$/, // /auth/me with the access token from login
  /^current session [0-9a-f-]{36}$/, // /auth/sessions with the access token of the second rotation
  /^204$/, // logout with the newest refresh token
  /^401$/, // that session's access token, refused at once
  /^Bearer$/, // login with HTTP Basic
  /^\["expiresIn","user"\]$/, // cookie-mode login: no token in the body
  /^ada@example\.com$/, // /auth/me by cookie
  /^\["expiresIn","user"\]$/, // cookie-mode refresh
  /^403$/, // logout without X-CSRF-Token
  /^204$/, // logout with it
  /^true$/, // the verification link of ada's sign-up mail, from the outbox
  /^LINK_INVALID$/, // the same link again
  /^10$/, // TOTP confirmed: the recovery codes, shown once
  /^401 MFA_REQUIRED totp,recovery_code$/, // the password alone no longer signs in
  /^\["pwd","otp"\]$/, // the MFA step with a recovery code: amr of the access token
  /^204$/, // TOTP off, with another recovery code
];

const onPath = (command: string) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));

function runBash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe("README's shell examples, run in order against the service", function () {
  this.timeout(30_000);
  let app: TestApp | undefined;
  let dir: string;
  const blocks = fencedBlocks(readFileSync('README.md', 'utf8'));

  before(async function () {
    const missing = ['bash', 'curl', 'jq'].filter((command) => !onPath(command));
    if (missing.length > 0) {
      process.stderr.write(`\n  !! ${missing.join(', ')} not found: README's shell examples are SKIPPED (apt-get install ${missing.join(' ')}; CI installs them).\n\n`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'readme-shell-'));
    app = await startTestApp({
      persistence: 'database',
      env: { DATABASE_URL: `sqlite:${join(dir, 'readme.sqlite3')}`, REFRESH_REUSE_GRACE_SECONDS: '0', MAIL_OUTBOX_DIR: join(dir, 'outbox') },
    });
    await migrateToLatest(appDatabase(app));
  });

  after(async () => {
    if (app) {
      await app.close();
      await appDatabase(app).destroy();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has examples to run, and every block that does not run says why', () => {
    expect(blocks.filter(runnable).length).to.be.at.least(3);
    for (const block of blocks.filter((b) => RUNNABLE.has(b.lang) && !runnable(b))) {
      expect(block.preceding, `README.md:${block.line}`).to.match(NOT_RUN);
    }
    for (const block of blocks.filter(runnable)) {
      expect(block.body, `README.md:${block.line} starts by setting API`).to.match(/^API=\$\{API:-http:\/\/localhost:3000\}(;|\n)/);
    }
  });

  it('every block succeeds and prints what README says it prints', async () => {
    const script = ['set -euo pipefail', ...blocks.filter(runnable).map((b) => `# README.md:${b.line}\n${b.body}`)].join('\n');
    const { code, stdout, stderr } = await runBash(script, { API: app!.url, OUTBOX: join(dir, 'outbox') });
    expect(code, `bash exited ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`).to.equal(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout).to.have.length(EXPECTED_OUTPUT.length);
    lines.forEach((line, i) => expect(line, `output line ${i + 1}`).to.match(EXPECTED_OUTPUT[i]!));
  });
});
