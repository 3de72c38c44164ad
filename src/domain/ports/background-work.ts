/**
 * Work a use case starts and does not wait for, so an answer cannot depend on it (in time or in
 * outcome): the forgot-password mail of a known address, say, which an unknown one never gets.
 */
export interface BackgroundWork {
  /** Starts `task` after the caller has gone on; a failure is logged by the adapter under `label`, never thrown. */
  run(label: string, task: () => Promise<void>): void;
}
