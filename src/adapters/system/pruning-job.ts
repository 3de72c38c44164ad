import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface PruningJobOptions {
  /** Forgets one batch; answers how many it forgot. */
  readonly pruneBatch: (batchSize: number) => Promise<number>;
  readonly intervalMs: number;
  readonly batchSize: number;
  /** Pause between batches, so a long sweep leaves the database to requests in between. */
  readonly pauseMs: number;
  readonly logger: Logger;
}

export interface PruningJob {
  /** One whole sweep now (batches until one comes back short); resolves with how many were forgotten. */
  sweep(): Promise<number>;
  stop(): void;
}

/**
 * Sweeps dead sessions every `intervalMs`, in small batches with pauses, never two sweeps at once.
 * A failing sweep is logged and retried at the next interval; the timer never keeps the process alive.
 */
export function startPruningJob(options: PruningJobOptions): PruningJob {
  let running: Promise<number> | null = null;
  let stopped = false;

  const sweepOnce = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const pruned = await options.pruneBatch(options.batchSize);
      total += pruned;
      if (pruned < options.batchSize || stopped) return total;
      await sleep(options.pauseMs);
    }
  };

  const sweep = (): Promise<number> => {
    running ??= sweepOnce().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = setInterval(() => {
    sweep().then(
      (pruned) => {
        if (pruned > 0) options.logger.info({ pruned }, 'ended and expired sessions pruned');
      },
      (err: unknown) => options.logger.warn({ err: { code: (err as { code?: unknown }).code } }, 'session pruning failed; retrying at the next interval'),
    );
  }, options.intervalMs);
  timer.unref();

  return {
    sweep,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
