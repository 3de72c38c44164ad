/** What bench/run.ts and bench/soak.ts share: where things are, which CPU runs what, and small maths. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository (the built service is started from here). */
export const ROOT = resolve(import.meta.dirname, '../..');
/** The service under test runs on this CPU; the load generator (this process) on the other. */
export const SERVER_CPU = 0;
export const CLIENT_CPU = 1;
/** Every seeded or registered user's password. */
export const PASSWORD = 'correct-horse-battery';

export const log = (...parts: unknown[]) => process.stderr.write(`# ${parts.join(' ')}\n`);
export const round = (x: number, digits = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : NaN);
export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const percentile = (sorted: number[], p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : NaN);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pins this process (the load generator, every thread) to CLIENT_CPU, or says why it could not. */
export function pinLoadGenerator(): void {
  try {
    execFileSync('taskset', ['-a', '-cp', String(CLIENT_CPU), String(process.pid)], { stdio: 'ignore' });
  } catch {
    log('warning: taskset unavailable; the load generator is not pinned');
  }
}
