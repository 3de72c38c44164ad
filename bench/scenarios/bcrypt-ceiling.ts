/** Scenario: how many bcrypt compares per second one CPU does at the service's cost (bench/bcrypt-ceiling.ts, pinned to SERVER_CPU). */
import { execFileSync } from 'node:child_process';
import { ROOT, SERVER_CPU, round } from '../lib/common.js';

export interface BcryptCeilingInput {
  readonly cost: number;
}

/** Compares per second. */
export function bcryptCeiling(input: BcryptCeilingInput): number {
  const out = execFileSync('taskset', ['-c', String(SERVER_CPU), process.execPath, '--import', 'tsx', 'bench/bcrypt-ceiling.ts', String(input.cost), '8'], {
    cwd: ROOT,
  }).toString();
  return round((JSON.parse(out) as { perSecond: number }).perSecond, 1);
}
