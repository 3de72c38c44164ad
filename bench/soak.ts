/**
 * npm run soak — the built service (NODE_ENV=production, random secrets, as bench/run.ts starts it)
 * under minutes of mixed traffic from virtual users, each one request at a time: register, login,
 * me, refresh with strict rotation (every virtual user keeps only its latest refresh token), list
 * sessions, logout, and now and then a wrong password. Every answer is counted by status; any 5xx,
 * any status other than the one the contract promises, or any network error fails the run (exit 1).
 * RSS and heap are read from /metrics every 5 s. At the end nothing may be lost: every registered
 * user still signs in and lists exactly the sessions it should, and the latest refresh token of
 * every session ever opened still rotates, or answers 401 if that session logged out.
 * Prints a Markdown summary and writes it as the "## Soak" section of BENCHMARKS.md.
 *
 *   npm run soak                                             # 180 s on SQLite
 *   SOAK_SECONDS=60 SOAK_USERS=8 npm run soak
 *   SOAK_MYSQL_URL=mysql://root@127.0.0.1:3306/test SOAK_REDIS_URL=redis://127.0.0.1:6379/0 npm run soak
 *   SOAK_SECONDS=20 SOAK_USERS=4 SOAK_WRITE=0 npx tsx bench/soak.ts     # a quick check (after npm run build)
 *
 * Knobs: SOAK_SECONDS (180), SOAK_USERS (virtual users, 16), SOAK_WARMUP_SECONDS (min(30, a sixth
 * of the run)), SOAK_BCRYPT_COST (8), SOAK_THINK_MS (pause between one user's requests, 0),
 * SOAK_MYSQL_URL, SOAK_REDIS_URL, SOAK_WRITE=0 (print only, leave BENCHMARKS.md alone).
 * Memory is reported, not judged by the exit code: on a shared machine one run's slope is a hint.
 *
 * The scenarios are in bench/scenarios/ (soak-traffic, soak-memory, soak-final-checks), the helpers
 * and the report in bench/lib/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, log, pinLoadGenerator, round } from './lib/common.js';
import { freshBackend } from './lib/databases.js';
import { envNumber as num } from './lib/options.js';
import { newWorld, sender, Tally } from './lib/soak-client.js';
import { soakReport } from './lib/soak-report.js';
import { freePort, startService, type Service } from './lib/start-service.js';
import { finalChecks, type FinalChecks } from './scenarios/soak-final-checks.js';
import { startMemorySampler, type Sample } from './scenarios/soak-memory.js';
import { runVirtualUsers } from './scenarios/soak-traffic.js';
import { writeSection } from './service.js';

// ---------- options ----------
const SECONDS = num('SOAK_SECONDS', 180, 10);
const OPT = {
  seconds: SECONDS,
  users: Math.round(num('SOAK_USERS', 16, 1)),
  warmup: num('SOAK_WARMUP_SECONDS', Math.min(30, Math.round(SECONDS / 6)), 0),
  bcryptCost: Math.round(num('SOAK_BCRYPT_COST', 8, 4)),
  thinkMs: num('SOAK_THINK_MS', 0, 0),
  mysqlUrl: process.env.SOAK_MYSQL_URL?.trim() || null,
  redisUrl: process.env.SOAK_REDIS_URL?.trim() || null,
  write: process.env.SOAK_WRITE !== '0',
  sampleMs: 5000,
};
const RUN_ID = randomBytes(3).toString('hex');

pinLoadGenerator();

async function main(): Promise<number> {
  const started = new Date();
  if (!existsSync(join(ROOT, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: run `npm run soak` (it builds first)');
  const backend = await freshBackend({ mysqlUrl: OPT.mysqlUrl, redisUrl: OPT.redisUrl, runId: RUN_ID });
  const tally = new Tally();
  const world = newWorld();
  let samples!: Sample[];
  let service: Service | null = null;
  // Assigned in the try block; when it throws, nothing below runs.
  let checks!: FinalChecks;
  let elapsed!: number;
  let exitedEarly: string | null = null;
  try {
    const port = await freePort();
    // Wrong passwords are part of the mix: the throttle must not turn the soak into a test of itself.
    const env = { PUBLIC_URL: `http://127.0.0.1:${port}`, LOGIN_MAX_FAILURES: '1000', REDIS_URL: undefined, ...backend.env };
    service = await startService({ databaseUrl: backend.databaseUrl, port, bcryptCost: OPT.bcryptCost, env });
    const svc = service;
    log(`${backend.label}; ${OPT.users} virtual users for ${OPT.seconds} s (warm-up ${OPT.warmup} s), BCRYPT_COST=${OPT.bcryptCost}, service pid ${svc.pid}`);

    const sampler = await startMemorySampler({ service: svc, everyMs: OPT.sampleMs, progress: () => ({ requests: tally.requests, failures: tally.failureCount }) });
    samples = sampler.samples;
    const send = sender(svc.url, RUN_ID, tally);
    const deadline = sampler.t0 + OPT.seconds * 1000;
    const vus = await runVirtualUsers({ send, world, tally, runId: RUN_ID, users: OPT.users, deadline, thinkMs: OPT.thinkMs });
    elapsed = (performance.now() - sampler.t0) / 1000;
    if (svc.child.exitCode !== null || svc.child.signalCode !== null) exitedEarly = `the service exited during the run (${svc.child.exitCode ?? svc.child.signalCode})`;
    await sampler.stop(elapsed);

    log(`traffic done: ${tally.requests.toLocaleString('en')} requests in ${round(elapsed)} s; checking ${world.users.length} users and ${world.stats.sessionsOpened} sessions`);
    const trafficRequests = tally.requests;
    checks = await finalChecks({ send, world, tally, finalSessions: vus.map((vu) => vu.finalSession) });
    log(`final checks done (${(tally.requests - trafficRequests).toLocaleString('en')} requests)`);
  } finally {
    await service?.stop();
    await backend.drop();
  }

  const { section, passed } = soakReport({ started, options: OPT, backendLabel: backend.label, tally, world, samples, checks, elapsed, exitedEarly });
  process.stdout.write(`${section}\n`);
  if (OPT.write) {
    writeSection(join(ROOT, 'BENCHMARKS.md'), '## Soak', section);
    log('BENCHMARKS.md: "## Soak" written');
  }
  return passed ? 0 : 1;
}

process.exitCode = await main();
