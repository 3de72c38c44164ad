/** The report of bench/run.ts: the targets judged, the method, and a table per database and size. */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { EndpointsResult, LoadOptions, Row } from '../scenarios/endpoints.js';
import { rowsTable } from '../scenarios/endpoints.js';
import type { PeerResult } from '../scenarios/peers.js';
import type { RssResult } from '../scenarios/rss.js';
import type { TwoInstancesResult } from '../scenarios/two-instances.js';
import { CLIENT_CPU, ROOT, SERVER_CPU, round } from './common.js';
import { table } from './markdown.js';

export interface BenchReportInput {
  readonly started: Date;
  /** The command-line arguments, shown in the Command line. */
  readonly args: string[];
  readonly options: LoadOptions & {
    readonly bcryptCost: number;
    readonly rssRequests: number;
    readonly mysqlUrl: string | null;
  };
  readonly ceiling: number;
  readonly results: EndpointsResult[];
  readonly rss: RssResult | null;
  readonly peers: PeerResult[];
  /** The production shape (two instances, MySQL + Redis), when it ran. */
  readonly twoInstances: TwoInstancesResult | null;
}

const get = (rows: Row[] | undefined, endpoint: string) => rows?.find((r) => r.endpoint === endpoint);
const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'met' : '**not met**');

function targetsTable(input: BenchReportInput): string {
  const { results, peers, rss, ceiling, options: OPT } = input;
  const sqlite1k = results.find((r) => r.kind === 'sqlite' && r.users === 1000)?.rows;
  const sqlite1m = results.find((r) => r.kind === 'sqlite' && r.users === 1_000_000)?.rows;
  const mysql1k = results.find((r) => r.kind === 'mysql' && r.users === 1000)?.rows;
  const peerRps = (name: string, endpoint: string) => peers.find((p) => p.name === name)?.rows.find((r) => r.endpoint === endpoint)?.rps_mean;
  const me = get(sqlite1k, 'me')?.rps ?? NaN;
  const koaLeanMe = peerRps('koa-lean', 'me');
  const fastifyMe = peerRps('fastify', 'me');
  const koaLeanRefresh = peerRps('koa-lean', 'refresh');
  const refreshSqlite = get(sqlite1k, 'refresh')?.rps ?? NaN;
  const refreshMysql = get(mysql1k, 'refresh')?.rps;
  const loginRps = get(sqlite1k, 'login')?.rps ?? NaN;
  const bothMe = get(input.twoInstances?.rows, 'me')?.rps;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 2) : null);
  // Mean latency (autocannon's p50 is whole milliseconds: 7 vs 9 ms would read as +29%).
  const within = (a: Row | undefined, b: Row | undefined) => (a && b ? round(b.mean / Math.max(a.mean, 0.001), 2) : null);
  const targets: Array<[string, string, number | string | null, boolean | null]> = [
    ['POST /auth/refresh (SQLite) ÷ koa-lean peer refresh (in memory)', '≥ 1', ratio(refreshSqlite, koaLeanRefresh), null],
    ['POST /auth/refresh MySQL ÷ SQLite', '≥ 0.7', ratio(refreshMysql, refreshSqlite), null],
    ['GET /auth/me ÷ Fastify peer', '≥ 0.9', ratio(me, fastifyMe), null],
    ['GET /auth/me ÷ koa-lean peer', '≥ 1.5', ratio(me, koaLeanMe), null],
    ['GET /auth/me ÷ own GET /healthz', '≥ 0.5', ratio(me, get(sqlite1k, 'healthz')?.rps), null],
    ['event-loop p99 during /auth/me (ms)', '< 20', get(sqlite1k, 'me')?.eldP99 ?? null, null],
    ['two instances (MySQL + Redis, one CPU) summed GET /auth/me ÷ one instance on SQLite', '≥ 0.8', ratio(bothMe, me), null],
    ['POST /auth/login ÷ bcrypt ceiling (same cost, same CPU)', '≥ 0.9', ratio(loginRps, ceiling), null],
    ['event-loop p99 during login (ms)', '< 20', get(sqlite1k, 'login')?.eldP99 ?? null, null],
    [`RSS growth over ${OPT.rssRequests.toLocaleString('en')} requests (peak after − peak during warm-up, MB)`, '< 20', rss ? round(rss.after - rss.before, 0) : null, null],
    ['mean latency of /auth/me at 1M users ÷ at 1k', '≤ 1.1', within(get(sqlite1k, 'me'), get(sqlite1m, 'me')), null],
    ['mean latency of /auth/refresh at 1M users ÷ at 1k', '≤ 1.1', within(get(sqlite1k, 'refresh'), get(sqlite1m, 'refresh')), null],
    ['mean latency of /auth/login at 1M users ÷ at 1k', '≤ 1.1', within(get(sqlite1k, 'login'), get(sqlite1m, 'login')), null],
  ];
  const judged = targets.map(([what, goal, figure]) => {
    if (figure === null || typeof figure !== 'number') return [what, goal, figure ?? 'n/a', verdict(null)];
    const [op, bound] = [goal.split(' ')[0], Number(goal.split(' ')[1])];
    const ok = op === '≥' ? figure >= bound : op === '<' ? figure < bound : figure <= bound;
    return [what, goal, figure, verdict(ok)];
  });
  return table(['target', 'goal', 'measured', 'verdict'], judged);
}

function twoInstancesSection(result: TwoInstancesResult | null): string[] {
  if (!result) return [];
  return [
    `## Production shape: two instances on one MySQL/MariaDB and one Redis, ${result.users.toLocaleString('en')} users`,
    '',
    `Both instances pinned to CPU ${SERVER_CPU} (the one CPU the single instance had), sessions, rate limits and the users' cache invalidation in Redis, \`CACHE_TTL_MS\` at its default (0: every request asks Redis whether its session lives), one autocannon per instance at once with half the connections each. req/s and CPU per request are summed over both; latencies and event-loop p99 are the worse instance's.`,
    '',
    rowsTable(result.rows),
    '',
  ];
}

function peersSection(peers: PeerResult[]): string[] {
  if (peers.length === 0) return [];
  const endpoints = ['hello', 'me', 'login', 'refresh'];
  return [
    '## Side by side with the peers (one run of ../shared/peers/bench.mjs for each)',
    '',
    'Same harness, same method for every server: `node ../shared/peers/bench.mjs <peer>`, and for this service `… <url> --paths hello=/healthz`. req/s, mean (p99 ms in brackets).',
    '',
    table(
      ['server', ...endpoints],
      peers.map((p) => [p.name, ...endpoints.map((e) => {
        const r = p.rows.find((x) => x.endpoint === e);
        return r ? `${r.rps_mean} (${r.lat_p99_ms})` : '—';
      })]),
    ),
    '',
  ];
}

/** The whole report, from "# Benchmarks" to the hand-written analysis (bench/analysis.md). */
export function benchReport(input: BenchReportInput): string {
  const { options: OPT, ceiling, rss, results, args } = input;
  const sections = [
    '# Benchmarks',
    '',
    `Command: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\`${OPT.mysqlUrl ? ' with `BENCH_MYSQL_URL` set' : ''}  `,
    `Date: ${input.started.toISOString()}  `,
    `Machine: ${os.cpus()[0]?.model} × ${os.cpus().length} CPUs, ${round(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}  `,
    `Method: the built service (\`node dist/src/main.js\`, \`NODE_ENV=production\`, random 48-byte secrets, \`BCRYPT_COST=${OPT.bcryptCost}\`) pinned to CPU ${SERVER_CPU}; autocannon pinned to CPU ${CLIENT_CPU}; ${OPT.duration} s per endpoint after ${OPT.warmup} s of warm-up; ${OPT.connections} connections (${OPT.loginConnections} for login and register). \`/auth/me\` rotates over 32 users' access tokens; \`/auth/refresh\` takes a live refresh token from a pool and returns its successor (strict rotation); login rotates over the seeded users. Server CPU counts every thread (bcrypt's pool too); event-loop p99 is prom-client's, less its 10 ms sampling interval. The machine is shared and noisy (±30%): compare within one run.`,
    '',
    '## Targets',
    '',
    targetsTable(input),
    '',
    `bcrypt's own ceiling at cost ${OPT.bcryptCost} on CPU ${SERVER_CPU}: ${ceiling} compares/s (bench/bcrypt-ceiling.ts).`,
    rss ? `RSS of the service: peak ${rss.before} MB over 2 warm-up chunks, then peaks per chunk over ${rss.requests.toLocaleString('en')} requests of GET /auth/me: ${rss.series.join(', ')} MB.` : '',
    '',
    ...results.flatMap((r) => [`## ${r.kind === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'}, ${r.users.toLocaleString('en')} users and ${r.users.toLocaleString('en')} stored refresh records`, '', rowsTable(r.rows), '']),
    ...twoInstancesSection(input.twoInstances),
    ...peersSection(input.peers),
  ];
  // The analysis of the figures (and the profile behind any target not met) is written by hand.
  const analysis = join(ROOT, 'bench', 'analysis.md');
  if (existsSync(analysis)) sections.push(readFileSync(analysis, 'utf8'));
  return sections.join('\n');
}
