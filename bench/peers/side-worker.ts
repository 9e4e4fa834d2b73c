/**
 * One side of the peers benchmark (the library or Emmett) on one backend, in a process of its
 * own: V8 optimises each side's code for that side alone, as in a real program. It warms up once,
 * then runs W1 on fresh storage each time the parent asks, so that the parent can interleave the
 * two sides' runs. Messages go over the IPC channel; progress goes to stderr.
 */
import { loadPersistenceModule, openStore } from '../backends.js';
import { runLibraryW1 } from '../library-w1.js';
import type { W1Options } from '../w1-figures.js';
import type { W1Rates } from '../w1-phases.js';
import { runW1Phases } from '../w1-phases.js';
import { openEmmettW1 } from './emmett/emmett-w1.js';
import { openEmmettStorage } from './emmett-storage.js';
import { type FromWorker, type ToWorker, WORKER_ENV, type WorkerSetup } from './worker-protocol.js';

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

const progressOf =
  (setup: WorkerSetup, tag: string) =>
  (message: string): void => {
    process.stderr.write(`[bench:peers] ${setup.backend} ${tag} ${message}\n`);
  };

/** Runs W1 once on fresh storage; resolves to the rates (and SQLite settings, for Emmett). */
async function runOnce(
  setup: WorkerSetup,
  options: W1Options,
  progress: (message: string) => void,
): Promise<{ rates: W1Rates; sqlite: { journal_mode: string; synchronous: string } | null }> {
  if (setup.side === 'library') {
    const store = await openStore(setup.backend, setup.settings);
    try {
      const figures = await runLibraryW1(store, options, progress);
      const rates: W1Rates = {
        register_per_s: figures.register_per_s,
        command_per_s: figures.command_per_s,
        get_per_s: figures.get_per_s,
        read_per_s: figures.notifications_per_s,
      };
      return { rates, sqlite: null };
    } finally {
      await store.dispose();
    }
  }
  const storage = await openEmmettStorage(setup.backend, setup.settings.postgres);
  try {
    const emmett = await openEmmettW1(storage.target);
    try {
      const rates = await runW1Phases(emmett.subject, options, progress);
      return { rates, sqlite: await emmett.sqliteSettings() };
    } finally {
      await emmett.close();
    }
  } finally {
    await storage.dispose();
  }
}

async function main(): Promise<void> {
  const setup = JSON.parse(process.env[WORKER_ENV] ?? 'null') as WorkerSetup | null;
  if (setup === null || process.send === undefined) {
    throw new Error(`side-worker.ts is started by bench/peers/run.ts (${WORKER_ENV} not set)`);
  }
  // A failure anywhere (Emmett's SQLite store reports SQLITE_BUSY as an 'error' event nobody
  // listens to) ends this worker; the parent records the reason and starts another.
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    void send({ type: 'error', message }).finally(() => process.exit(1));
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  if (setup.side === 'library') await loadPersistenceModule(setup.backend);
  const warm = await runOnce(setup, setup.warmUp, () => {});
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      process.disconnect();
      return;
    }
    const tag = `${setup.side} ×${message.options.inFlight}`;
    runOnce(setup, message.options, progressOf(setup, tag)).then(
      ({ rates }) => send({ type: 'figures', rates }),
      fail,
    );
  });
  await send({ type: 'ready', sqlite: warm.sqlite });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (process.send) process.send({ type: 'error', message }, () => process.exit(1));
  else {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
});
