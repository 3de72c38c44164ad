/**
 * Scenario: the peers of ../shared/peers (koa, koa-lean, express, nest, fastify, raw-http) through
 * their own harness (bench.mjs), then this service through the same harness, in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { log } from '../lib/common.js';
import { freshDatabase, seed } from '../lib/databases.js';
import { startService } from '../lib/start-service.js';

export interface PeerRow {
  readonly endpoint: string;
  readonly rps_mean: number;
  readonly lat_p50_ms: number;
  readonly lat_p99_ms: number;
}

export interface PeerResult {
  readonly name: string;
  readonly rows: PeerRow[];
}

export interface PeersInput {
  readonly peersDir: string;
  readonly duration: number;
  readonly warmup: number;
  /** For this service: the shared bcrypt hash of the seeded users, its port and cost. */
  readonly hash: string;
  readonly port: number;
  readonly bcryptCost: number;
}

const PEERS = ['koa', 'koa-lean', 'express', 'nest', 'fastify', 'raw-http'];

/** One row list per server measured; empty when ../shared/peers is not there. */
export async function benchPeers(input: PeersInput): Promise<PeerResult[]> {
  const { peersDir } = input;
  const results: PeerResult[] = [];
  if (existsSync(join(peersDir, 'bench.mjs')) && !existsSync(join(peersDir, 'node_modules'))) {
    log(`installing the peers' dependencies in ${peersDir}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peersDir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(join(peersDir, 'node_modules'))) {
    log(`peers skipped: no ${peersDir}/bench.mjs`);
    return results;
  }
  for (const peer of PEERS) {
    const rows = peerBench(input, peer, []);
    if (rows) results.push({ name: peer, rows });
  }
  const database = await freshDatabase('sqlite', null);
  await seed(database.url, 1000, 1000, input.hash);
  const server = await startService({ databaseUrl: database.url, port: input.port, bcryptCost: input.bcryptCost });
  const rows = peerBench(input, server.url, ['--pid', String(server.pid), '--paths', 'hello=/healthz']);
  if (rows) results.push({ name: 'auth-api (this service, SQLite)', rows });
  await server.stop();
  await database.drop();
  return results;
}

function peerBench(input: PeersInput, target: string, extra: string[]): PeerRow[] | null {
  const file = join(os.tmpdir(), `peer-${target.replace(/\W/g, '_')}-${process.pid}.json`);
  try {
    execFileSync(process.execPath, [join(input.peersDir, 'bench.mjs'), target, '--duration', String(input.duration), '--warmup', String(input.warmup), '--json', file, ...extra], {
      cwd: input.peersDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { results?: PeerRow[] } | PeerRow[];
    return Array.isArray(parsed) ? parsed : (parsed.results ?? null);
  } catch (err) {
    log(`peer ${target} failed: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}
