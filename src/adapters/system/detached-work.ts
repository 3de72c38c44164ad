import type { Logger } from 'pino';
import type { BackgroundWork } from '../../domain/ports/background-work.js';

/** Background work in this process: started on the next tick, failures logged (BACKGROUND_TASK_FAILED), drained at shutdown. */
export class DetachedWork implements BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(label: string, task: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((err: unknown) => {
        const code = (err as { code?: unknown } | null)?.code;
        // The label and an error code only: a task's error may quote what it worked on.
        this.logger.error({ code: 'BACKGROUND_TASK_FAILED', task: label, cause: typeof code === 'string' ? code : (err as Error | null)?.name ?? 'Error' }, 'background task failed');
      })
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once every task started so far (and any they start) has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
