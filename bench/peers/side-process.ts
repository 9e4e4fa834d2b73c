/**
 * The parent's handle on a side worker (side-worker.ts): starts it (it warms up), asks it for
 * W1 runs one at a time, and stops it. A worker that fails is gone; its error rejects the call
 * that was waiting, and the next call on this handle starts a new worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { W1Options } from '../w1-figures.js';
import type { W1Rates } from '../w1-phases.js';
import { type FromWorker, type ToWorker, WORKER_ENV, type WorkerSetup } from './worker-protocol.js';

/** SQLite settings a worker reports after its warm-up (Emmett's, which it sets itself). */
export type SqliteSettings = { journal_mode: string; synchronous: string } | null;

/** One side on one backend, measured in a child process. */
export class SideProcess {
  readonly setup: WorkerSetup;
  private child: ChildProcess | null = null;
  private waiting: ((message: FromWorker) => void) | null = null;
  /** The SQLite settings reported by the latest warm-up. */
  sqlite: SqliteSettings = null;

  constructor(setup: WorkerSetup) {
    this.setup = setup;
  }

  /** Starts the worker (if it is not running) and waits for its warm-up to finish. */
  async start(): Promise<void> {
    if (this.child !== null) return;
    const script = fileURLToPath(new URL('./side-worker.ts', import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, script], {
      // The worker's stdout (Emmett logs errors with console.log) goes to stderr: stdout is the report's.
      stdio: ['ignore', 2, 'inherit', 'ipc'],
      env: { ...process.env, [WORKER_ENV]: JSON.stringify(this.setup) },
    });
    this.child = child;
    child.on('message', (message: FromWorker) => {
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.(message);
    });
    child.on('close', (code) => {
      this.child = null;
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.({ type: 'error', message: `the worker exited with code ${code}` });
    });
    const ready = await this.next();
    if (ready.type !== 'ready') throw new Error(this.describe(ready));
    this.sqlite = ready.sqlite;
  }

  /** Runs W1 once on fresh storage in the worker; rejects with the worker's error. */
  async run(options: W1Options): Promise<W1Rates> {
    await this.start();
    const reply = this.next();
    this.child!.send({ type: 'run', options } satisfies ToWorker);
    const message = await reply;
    if (message.type !== 'figures') throw new Error(this.describe(message));
    return message.rates;
  }

  /** Stops the worker, if it is running. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.send({ type: 'stop' } satisfies ToWorker);
    await exited;
  }

  private next(): Promise<FromWorker> {
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  private describe(message: FromWorker): string {
    return message.type === 'error' ? message.message : `unexpected message ${message.type}`;
  }
}
