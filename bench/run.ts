/**
 * npm run bench — the service started as a user would (built, NODE_ENV=production, real secrets),
 * pinned to CPU 0, driven by autocannon pinned to CPU 1, on SQLite and (with BENCH_MYSQL_URL) on
 * MySQL, with 1k and 1M users; then the peers of ../shared/peers in the same run. Prints tables
 * and writes BENCHMARKS.md.
 *
 *   npm run bench                                    # everything (about 15-20 minutes)
 *   npm run bench -- --duration 5 --no-data-size --no-peers
 *   BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test npm run bench
 *   npx tsx bench/run.ts --duration 2 --warmup 1 --no-data-size --no-peers --no-write   # a quick check
 *
 * Flags: --duration S (10, per endpoint), --warmup S (2), --connections N (50),
 * --login-connections N (8, for login and register), --bcrypt-cost N (10), --rss-requests N
 * (100000), --no-data-size (skip 1M users), --no-peers (skip ../shared/peers), --no-two-instances
 * (skip the production shape), --no-write (print only, leave BENCHMARKS.md alone). Env:
 * BENCH_MYSQL_URL (also on MySQL, and then the production shape: two instances on MySQL and
 * Redis), BENCH_REDIS_URL (redis://127.0.0.1:6379/14; keys under a prefix of the run's own,
 * deleted after), BENCH_PEERS_DIR (../shared/peers). The soak's "## Soak" section of BENCHMARKS.md is kept as it is.
 *
 * The scenarios are in bench/scenarios/ (endpoints, rss, bcrypt-ceiling, peers), the helpers and
 * the report in bench/lib/.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';
import { benchReport } from './lib/bench-report.js';
import { PASSWORD, ROOT, SERVER_CPU, log, pinLoadGenerator } from './lib/common.js';
import type { DatabaseKind } from './lib/databases.js';
import { argFlag, argValue } from './lib/options.js';
import { bcryptCeiling } from './scenarios/bcrypt-ceiling.js';
import { benchEndpoints, type EndpointsResult } from './scenarios/endpoints.js';
import { benchPeers, type PeerResult } from './scenarios/peers.js';
import { benchTwoInstances } from './scenarios/two-instances.js';
import type { RssResult } from './scenarios/rss.js';
import { sectionOf } from './service.js';
import { freePort } from './lib/start-service.js';

// ---------- options ----------
const args = process.argv.slice(2);
const flag = (name: string) => argFlag(args, name);
const value = (name: string, fallback: number) => argValue(args, name, fallback);
const OPT = {
  duration: value('duration', 10),
  warmup: value('warmup', 2),
  connections: value('connections', 50),
  loginConnections: value('login-connections', 8),
  bcryptCost: value('bcrypt-cost', 10),
  rssRequests: value('rss-requests', 100_000),
  dataSize: !flag('no-data-size'),
  peers: !flag('no-peers'),
  twoInstances: !flag('no-two-instances'),
  mysqlUrl: process.env.BENCH_MYSQL_URL?.trim() || null,
  redisUrl: process.env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379/14',
  peersDir: resolve(process.env.BENCH_PEERS_DIR ?? join(import.meta.dirname, '../../shared/peers')),
  write: !flag('no-write'),
};

pinLoadGenerator();

async function main(): Promise<void> {
  const started = new Date();
  log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}`);
  const ceiling = bcryptCeiling({ cost: OPT.bcryptCost });
  log(`bcrypt ceiling at cost ${OPT.bcryptCost} on CPU ${SERVER_CPU}: ${ceiling} compares/s`);
  const hash = await bcrypt.hash(PASSWORD, OPT.bcryptCost);

  const scenarios: Array<{ kind: DatabaseKind; users: number }> = [{ kind: 'sqlite', users: 1000 }];
  if (OPT.dataSize) scenarios.push({ kind: 'sqlite', users: 1_000_000 });
  if (OPT.mysqlUrl) {
    scenarios.push({ kind: 'mysql', users: 1000 });
    if (OPT.dataSize) scenarios.push({ kind: 'mysql', users: 1_000_000 });
  }
  const results: EndpointsResult[] = [];
  let rss: RssResult | null = null;
  const load = { duration: OPT.duration, warmup: OPT.warmup, connections: OPT.connections, loginConnections: OPT.loginConnections };
  for (const { kind, users } of scenarios) {
    // RSS over many requests is measured once, on the service of the first scenario (SQLite, 1k users).
    const rssRequests = kind === 'sqlite' && users === 1000 ? OPT.rssRequests : null;
    const result = await benchEndpoints({ kind, users, mysqlUrl: OPT.mysqlUrl, hash, port: await freePort(), bcryptCost: OPT.bcryptCost, load, rssRequests });
    results.push(result);
    rss = result.rss ?? rss;
  }

  // The production shape: two instances sharing one MySQL and one Redis, on the same one CPU.
  const twoInstances = OPT.mysqlUrl && OPT.twoInstances ? await benchTwoInstances({ mysqlUrl: OPT.mysqlUrl, redisUrl: OPT.redisUrl, users: 1000, hash, bcryptCost: OPT.bcryptCost, load }) : null;

  // Peers, and this service through the peers' own harness, in the same run.
  const peers: PeerResult[] = OPT.peers ? await benchPeers({ peersDir: OPT.peersDir, duration: OPT.duration, warmup: OPT.warmup, hash, port: await freePort(), bcryptCost: OPT.bcryptCost }) : [];

  const report = benchReport({ started, args, options: OPT, ceiling, results, rss, peers, twoInstances });
  process.stdout.write(`${report}\n`);
  if (OPT.write) {
    // The soak (npm run soak) writes its own section: it is kept as it is.
    const file = join(ROOT, 'BENCHMARKS.md');
    // So does bench/logging-cost.ts's section.
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const kept = ['## Soak', '## Logging: what writing each line at once costs'].map((h) => sectionOf(previous, h)).filter((x): x is string => x !== null);
    writeFileSync(file, `${report}\n${kept.map((k) => `\n${k}\n`).join('')}`);
  }
}

await main();
