/** The messages between bench/peers/run.ts and its side workers (side-worker.ts). */
import type { BackendName, StoreSettings } from '../backends.js';
import type { W1Options } from '../w1-figures.js';
import type { W1Rates } from '../w1-phases.js';

/** The side a worker measures. */
export type Side = 'library' | 'emmett';

/** What the parent tells a worker when it starts it (JSON in {@link WORKER_ENV}). */
export interface WorkerSetup {
  readonly side: Side;
  readonly backend: BackendName;
  readonly settings: StoreSettings;
  /** The unreported warm-up run. */
  readonly warmUp: W1Options;
}

/** A message from the parent. */
export type ToWorker = { type: 'run'; options: W1Options } | { type: 'stop' };

/** A message to the parent. */
export type FromWorker =
  | { type: 'ready'; sqlite: { journal_mode: string; synchronous: string } | null }
  | { type: 'figures'; rates: W1Rates }
  | { type: 'error'; message: string };

/** The environment variable that carries a worker's {@link WorkerSetup}. */
export const WORKER_ENV = 'EVENTSOURCING_PEERS_WORKER';
