/** The report of bench/soak.ts: the verdict, the traffic by status, the final checks and the memory trend. */
import os from 'node:os';
import type { FinalChecks } from '../scenarios/soak-final-checks.js';
import { SERIES, trend, type Sample } from '../scenarios/soak-memory.js';
import { CLIENT_CPU, SERVER_CPU, mean, percentile, round } from './common.js';
import { table } from './markdown.js';
import type { Tally, World } from './soak-client.js';

export interface SoakReportInput {
  readonly started: Date;
  readonly options: {
    readonly seconds: number;
    readonly users: number;
    readonly warmup: number;
    readonly bcryptCost: number;
    readonly thinkMs: number;
    readonly mysqlUrl: string | null;
    readonly redisUrl: string | null;
    readonly sampleMs: number;
  };
  readonly backendLabel: string;
  readonly tally: Tally;
  readonly world: World;
  readonly samples: Sample[];
  readonly checks: FinalChecks;
  readonly elapsed: number;
  /** Why the service stopped before the end, or null. */
  readonly exitedEarly: string | null;
}

function statusTable(tally: Tally, filter: (endpoint: string) => boolean): string {
  const rows = [...tally.statuses]
    .filter(([endpoint]) => filter(endpoint))
    .map(([endpoint, byStatus]) => {
      const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
      const sorted = [...(tally.latencies.get(endpoint) ?? [])].sort((a, b) => a - b);
      const statuses = [...byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([s, c]) => `${s}: ${c.toLocaleString('en')}`).join(', ');
      return [endpoint, total.toLocaleString('en'), statuses, round(mean(sorted), 2), round(percentile(sorted, 50), 1), round(percentile(sorted, 99), 1), round(sorted[sorted.length - 1] ?? NaN, 0)];
    });
  return table(['request', 'count', 'statuses', 'mean ms', 'p50 ms', 'p99 ms', 'max ms'], rows);
}

/** The "## Soak" section, and whether the run passed (no 5xx, no unexpected status, nothing lost). */
export function soakReport(input: SoakReportInput): { section: string; passed: boolean } {
  const { options: OPT, tally, samples, elapsed, world } = input;
  const { users, stats } = world;
  const traffic = (e: string) => !e.startsWith('final:');
  const trafficCount = [...tally.statuses].filter(([e]) => traffic(e)).reduce((n, [, m]) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
  const memory = trend(samples, OPT.warmup);
  const problems: string[] = [];
  if (input.exitedEarly) problems.push(input.exitedEarly);
  if (tally.serverErrors) problems.push(`${tally.serverErrors} answers were 5xx`);
  if (tally.unexpected) problems.push(`${tally.unexpected} answers had an unexpected status`);
  if (tally.networkErrors) problems.push(`${tally.networkErrors} requests failed at the network level`);
  const otherFailures = tally.failureCount - tally.serverErrors - tally.unexpected - tally.networkErrors;
  if (otherFailures > 0) problems.push(`${otherFailures} consistency checks failed`);
  if (input.checks.usersSignedIn !== users.length) problems.push(`${users.length - input.checks.usersSignedIn} users could not sign in at the end`);
  const passed = problems.length === 0;
  // A leak raises what survives garbage collection (the heap's floor); the mean heap and RSS also
  // follow where in its sawtooth V8 happens to be, and how much it has reserved, so they only inform.
  const flat = memory ? memory.heapFloor.slope <= 1 : null;

  const envShown = ['SOAK_SECONDS', 'SOAK_USERS', 'SOAK_WARMUP_SECONDS', 'SOAK_BCRYPT_COST', 'SOAK_THINK_MS']
    .filter((k) => process.env[k])
    .map((k) => `${k}=${process.env[k]}`)
    .concat(OPT.mysqlUrl ? ['SOAK_MYSQL_URL=…'] : [], OPT.redisUrl ? ['SOAK_REDIS_URL=…'] : []);
  const c: FinalChecks | null = input.checks;
  const lines = [
    '## Soak',
    '',
    `Command: \`${envShown.length ? `${envShown.join(' ')} ` : ''}npm run soak\` (bench/soak.ts)  `,
    `Date: ${input.started.toISOString()}  `,
    `Machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} CPUs, ${round(os.totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}; shared with other work, so the figures are noisy  `,
    `Method: the built service (\`node dist/src/main.js\`, \`NODE_ENV=production\`, random secrets, \`BCRYPT_COST=${OPT.bcryptCost}\`, \`LOGIN_MAX_FAILURES=1000\`, \`LOGIN_IP_MAX_FAILURES=1000000\`, \`REGISTER_PER_IP_PER_HOUR=1000000\`) on ${input.backendLabel}, pinned to CPU ${SERVER_CPU}; ${OPT.users} virtual users on CPU ${CLIENT_CPU}, each one request at a time${OPT.thinkMs ? ` with ~${OPT.thinkMs} ms pauses` : ', no pauses'}, for ${OPT.seconds} s. Signed in, a user picks: me 35%, refresh 25% (strict rotation: it keeps only its latest refresh token), list sessions 12% (the list must match exactly what it opened and closed), login again 9% (a new session; the old one stays live), wrong password 6% (must be 401), logout 7%, register a new user 6%; signed out: login 80%, register 20%. RSS, V8 heap (used and total) and external memory from \`/metrics\` every ${OPT.sampleMs / 1000} s.`,
    '',
    `**Result: ${passed ? 'passed' : 'FAILED'}**${passed ? ' — no 5xx, no unexpected status, nothing lost.' : ` — ${problems.join('; ')}.`}`,
    '',
    `### Traffic: ${trafficCount.toLocaleString('en')} requests in ${round(elapsed, 0)} s (${round(trafficCount / Math.max(elapsed, 1), 0)} req/s)`,
    '',
    statusTable(tally, traffic),
    '',
    '### Nothing lost',
    '',
    c
      ? table(
          ['check', 'result'],
          [
            ['users registered', users.length.toLocaleString('en')],
            ['… each still signs in (200)', `${c.usersSignedIn} of ${users.length}`],
            ['… and lists exactly its live sessions + the new one', `${c.usersListedExactly} of ${users.length}`],
            ['sessions opened / ended by logout / refresh rotations', `${stats.sessionsOpened.toLocaleString('en')} / ${stats.sessionsEnded.toLocaleString('en')} / ${stats.rotations.toLocaleString('en')}`],
            ["live sessions: the latest refresh token still rotates (200)", `${c.liveRefreshed} of ${c.liveTotal}`],
            ['logged-out sessions: the last refresh token is refused (401)', `${c.endedRefused} of ${c.endedTotal}`],
            ["virtual users' final refresh token: live → 200", `${c.vuLiveOk} of ${c.vuLive}`],
            ["virtual users' final refresh token: logged out → 401", `${c.vuEndedOk} of ${c.vuEnded}`],
            ['session lists that matched during the run', `${stats.listsMatched.toLocaleString('en')} of ${(tally.statuses.get('GET /auth/sessions')?.get('200') ?? 0).toLocaleString('en')}`],
          ],
        )
      : 'The final checks did not run.',
    '',
    c ? statusTable(tally, (e) => !traffic(e)) : '',
    '',
    '### Memory',
    '',
    memory
      ? table(
          [`window (after a warm-up of ${OPT.warmup} s)`, 'samples', ...SERIES.map((x) => `mean ${x.label} MB`)],
          [
            ['first third', memory.samples, ...SERIES.map((x) => round(memory.first[x.key]))],
            ['last third', memory.samples, ...SERIES.map((x) => round(memory.last[x.key]))],
            ['slope (MB/min)', '', ...SERIES.map((x) => round(memory.slope[x.key], 2))],
          ],
        )
      : 'Too few samples after the warm-up to compare.',
    '',
    memory
      ? `Windows ${memory.span}. Verdict: memory ${flat ? '**flat**' : '**growing**'}: heap used after GC (the lowest sample of each window) ${round(memory.heapFloor.first)} → ${round(memory.heapFloor.last)} MB, ${round(memory.heapFloor.slope, 2)} MB/min (flat means ≤ 1 MB/min). For context, between the thirds' means: RSS ${round(memory.slope.rss, 2)} MB/min and heap used ${round(memory.slope.heapUsed, 2)} MB/min, which follow V8's collection sawtooth and reservations.`
      : '',
    '',
    ...SERIES.slice(0, 2).map((x, i, all) => `${x.label} every ${OPT.sampleMs / 1000} s (MB): ${samples.map((s) => round(s.mb[x.key], 0)).join(', ')}${i < all.length - 1 ? '  ' : ''}`),
  ];
  if (!passed && tally.failures.length) {
    lines.push('', 'First failures:', '', ...tally.failures.map((f) => `- ${f.what}: ${f.detail}`));
  }
  return { section: lines.join('\n').replace(/\n{3,}/g, '\n\n'), passed };
}
