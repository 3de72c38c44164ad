import { expect } from 'chai';
import { pino } from 'pino';
import { startPruningJob, type PruningJob } from '../../../src/adapters/system/pruning-job.js';

/** A store of `dead` sessions, pruned `batchSize` at a time, recording each batch. */
function deadSessions(dead: number) {
  const batches: number[] = [];
  let left = dead;
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    batches,
    get maxInFlight() {
      return maxInFlight;
    },
    async pruneBatch(size: number): Promise<number> {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      const pruned = Math.min(size, left);
      left -= pruned;
      batches.push(pruned);
      inFlight -= 1;
      return pruned;
    },
  };
}

describe('the session pruning job', () => {
  let job: PruningJob | undefined;
  afterEach(() => job?.stop());
  const logger = pino({ level: 'silent' });

  it('sweeps in batches until one comes back short, and reports the total', async () => {
    const store = deadSessions(1234);
    job = startPruningJob({ pruneBatch: (n) => store.pruneBatch(n), intervalMs: 3_600_000, batchSize: 500, pauseMs: 1, logger });

    expect(await job.sweep()).to.equal(1234);
    expect(store.batches).to.deep.equal([500, 500, 234]);
  });

  it('never runs two sweeps at once: a sweep asked for during one joins it', async () => {
    const store = deadSessions(1000);
    job = startPruningJob({ pruneBatch: (n) => store.pruneBatch(n), intervalMs: 3_600_000, batchSize: 100, pauseMs: 1, logger });

    const [first, second] = await Promise.all([job.sweep(), job.sweep()]);

    expect([first, second]).to.deep.equal([1000, 1000]);
    expect(store.maxInFlight).to.equal(1);
    expect(store.batches.reduce((a, b) => a + b, 0)).to.equal(1000);
  });

  it('runs by itself every interval, and a failing sweep is logged and retried at the next one', async () => {
    const lines: string[] = [];
    const recording = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    let calls = 0;
    job = startPruningJob({
      pruneBatch: () => {
        calls += 1;
        return calls === 1 ? Promise.reject(Object.assign(new Error('select * from sessions: boom'), { code: 'ECONNRESET' })) : Promise.resolve(3);
      },
      intervalMs: 20,
      batchSize: 10,
      pauseMs: 1,
      logger: recording,
    });

    const deadline = Date.now() + 2000;
    while (!lines.some((l) => l.includes('"pruned":3')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

    expect(lines.some((l) => l.includes('session pruning failed')), lines.join('')).to.equal(true);
    expect(lines.some((l) => l.includes('"pruned":3')), lines.join('')).to.equal(true);
    expect(lines.join(''), 'no SQL or message text in the log').to.not.include('select');
  });
});
