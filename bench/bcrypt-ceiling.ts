/**
 * bcrypt's own ceiling: how many compares per second this CPU set does at a cost, with as many
 * in flight as libuv's thread pool runs (the same way the service runs them).
 *   taskset -c 0 npx tsx bench/bcrypt-ceiling.ts [cost] [seconds]
 */
import bcrypt from 'bcrypt';

const cost = Number(process.argv[2] ?? 10);
const seconds = Number(process.argv[3] ?? 5);
const inFlight = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

const hash = await bcrypt.hash('correct-horse-battery', cost);
let done = 0;
const end = Date.now() + seconds * 1000;
const worker = async () => {
  while (Date.now() < end) {
    await bcrypt.compare('correct-horse-battery', hash);
    done += 1;
  }
};
const t0 = performance.now();
await Promise.all(Array.from({ length: inFlight }, worker));
const elapsed = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ cost, perSecond: done / elapsed, compares: done, seconds: elapsed })}\n`);
