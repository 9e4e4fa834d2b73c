/**
 * The systems entries of `npm run bench` on one backend (issue 13): a leader taking W1 commands
 * while a process application turns each of its events into one event of its own, under each
 * runner that applies to the backend, at each number in flight. Per run, on fresh storage:
 * the dogs are registered (untimed) and the follower catches up; then W1's rounds of
 * commands (get + addTrick + save, `inFlight` at once) are timed, and the run waits until the
 * follower's tracking reaches the leader's last notification id. The follower's events are
 * read back to check each leader event was processed once, and to take each event's lag.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Application } from 'eventsourcing/application';
import { ConcurrentRunner, SingleThreadedRunner } from 'eventsourcing/system';
import { type BackendName, openStore, type Store, type StoreSettings } from './backends.js';
import { latencyFigures } from './latency.js';
import { runLibraryW1 } from './library-w1.js';
import { runPool } from './pool.js';
import { loadMultiProcessRunner, type MultiProcessRunnerClass } from './system-multi-process.js';
import type { RunnerName, SystemFigures, SystemPart } from './system-report.js';
import {
  type Relayed,
  StampedSchool,
  SYSTEM_NAME_ENV,
  type SystemClasses,
  systemClasses,
} from './system-subjects.js';
import type { Progress } from './w1-figures.js';
import { fmt } from './w1-phases.js';

/** The sizes of the systems entries. */
export interface SystemOptions {
  readonly dogs: number;
  readonly tricks: number;
  readonly inFlight: readonly number[];
}

/** The numbers in flight the issue asks for (those of the run's `--inflight` among them). */
const SYSTEM_IN_FLIGHT = [1, 64];
/** The unreported warm-up pass of each in-process runner. */
const WARM_UP = { dogs: 200, tricks: 2 };
/** How long a run may take before the benchmark gives up. */
const RUN_TIMEOUT_MS = 10 * 60_000;
/** How often the benchmark looks at the follower's tracking while it waits for it. */
const POLL_MS = 1;

/** The runners of a backend: MultiProcessRunner needs a database shared between processes. */
function runnersOf(backend: BackendName): RunnerName[] {
  return backend === 'memory'
    ? ['SingleThreadedRunner', 'ConcurrentRunner']
    : ['SingleThreadedRunner', 'ConcurrentRunner', 'MultiProcessRunner'];
}

/** Measures every runner of `backend` (and in memory W1's command rate beside them). */
export async function measureSystems(
  backend: BackendName,
  settings: StoreSettings,
  options: SystemOptions,
  progress: Progress,
): Promise<SystemPart> {
  const inFlights = options.inFlight.filter((n) => SYSTEM_IN_FLIGHT.includes(n));
  const part: SystemPart = { entries: [], w1_memory_command_per_s: null, notes: [] };
  const multiProcess = await loadMultiProcessRunner();
  for (const runner of runnersOf(backend)) {
    let mp: MultiProcessRunnerClass | null = null;
    if (runner === 'MultiProcessRunner') {
      if (typeof multiProcess === 'string') {
        const note = `${backend}: MultiProcessRunner skipped (${multiProcess})`;
        progress(note);
        part.notes.push(note);
        continue;
      }
      mp = multiProcess;
    } else {
      // Child processes start fresh; in-process runners get V8 warmed up first.
      await measureRun(runner, backend, settings, { ...WARM_UP, inFlight: 8 }, null, () => {});
    }
    for (const inFlight of inFlights) {
      const label = `${backend} ${runner} ×${inFlight}`;
      const figures = await measureRun(
        runner,
        backend,
        settings,
        { dogs: options.dogs, tricks: options.tricks, inFlight },
        mp,
        (m) => progress(`${label}: ${m}`),
      );
      progress(
        `${label}: leader ${fmt(figures.leader_command_per_s)}/s, processed ` +
          `${fmt(figures.processed_per_s)}/s (${(figures.processed_per_s / figures.leader_command_per_s).toFixed(2)}×), ` +
          `lag p50 ${figures.lag_p50_ms.toFixed(2)} ms, p99 ${figures.lag_p99_ms.toFixed(2)} ms`,
      );
      part.entries.push(figures);
    }
  }
  if (backend === 'memory' && inFlights.includes(1)) {
    const store = await openStore(backend, settings);
    try {
      const w1 = await runLibraryW1(
        store,
        { dogs: options.dogs, tricks: options.tricks, inFlight: 1, pageSize: 1000 },
        () => {},
      );
      part.w1_memory_command_per_s = w1.command_per_s;
      progress(`memory W1 beside the systems: command ${fmt(w1.command_per_s)}/s`);
    } finally {
      await store.dispose();
    }
  }
  return part;
}

/** The parts of a runner that a run uses. */
interface Running {
  start(): Promise<void>;
  stop(): Promise<void>;
  get<T extends Application>(cls: abstract new (...args: never[]) => T): T;
}

/** One run of `runner` on fresh storage. */
async function measureRun(
  runnerName: RunnerName,
  backend: BackendName,
  settings: StoreSettings,
  sizes: { dogs: number; tricks: number; inFlight: number },
  multiProcess: MultiProcessRunnerClass | null,
  progress: Progress,
): Promise<SystemFigures> {
  const store = await openStore(backend, settings);
  // MultiProcessRunner's children import the system module, which names its classes from this.
  process.env[SYSTEM_NAME_ENV] = store.appName;
  const classes = systemClasses(store.appName);
  const env = systemEnv(store, classes);
  StampedSchool.committed.clear();
  let runner: Running;
  if (runnerName === 'SingleThreadedRunner')
    runner = new SingleThreadedRunner(classes.system, { env });
  else if (runnerName === 'ConcurrentRunner')
    runner = new ConcurrentRunner(classes.system, { env });
  else runner = new (multiProcess as MultiProcessRunnerClass)(systemModuleRef(), { env });
  try {
    await runner.start();
    const leader = runner.get(classes.leader);
    const follower = runner.get(classes.follower);
    const { dogs, tricks, inFlight } = sizes;
    const ids = new Array<string>(dogs);
    await runPool(inFlight, dogs, async (i) => {
      ids[i] = await leader.registerDog(`dog-${i}`);
    });
    const registered = (await leader.recorder.maxNotificationId()) ?? 0;
    await waitForFollower(follower, leader.name, registered);
    progress(`${fmt(dogs)} dogs registered and processed`);

    const commands = dogs * tricks;
    const started = performance.now();
    for (let round = 0; round < tricks; round++) {
      const trick = `trick-${round}`;
      await runPool(inFlight, dogs, (i) => leader.addTrick(ids[i]!, trick));
    }
    const commanded = performance.now();
    const last = (await leader.recorder.maxNotificationId()) ?? 0;
    await waitForFollower(follower, leader.name, last);
    const caughtUp = performance.now();

    const lags = await lagsOf(follower, registered, dogs * (tricks + 1));
    const lag = latencyFigures(lags);
    return {
      runner: runnerName,
      backend,
      inFlight,
      commands,
      leader_command_per_s: commands / ((commanded - started) / 1000),
      processed_per_s: commands / ((caughtUp - started) / 1000),
      lag_p50_ms: lag.p50_ms,
      lag_p99_ms: lag.p99_ms,
    };
  } finally {
    try {
      await runner.stop();
    } finally {
      await store.dispose();
    }
  }
}

/**
 * The runners' environment: the store's, and on SQLite a file for each application (SQLite's
 * tables are not prefixed by name), next to the store's.
 */
function systemEnv(store: Store, classes: SystemClasses): Record<string, string> {
  const env: Record<string, string> = { ...store.env };
  if (store.sqlitePath !== null) {
    const dir = dirname(store.sqlitePath);
    for (const cls of [classes.leader, classes.follower]) {
      env[`${cls.name.toUpperCase()}_SQLITE_DBNAME`] = join(dir, `${cls.name}.db`);
    }
  }
  return env;
}

/** The system as MultiProcessRunner's children import it. */
function systemModuleRef(): { module: string; export: string } {
  return {
    module: fileURLToPath(new URL('./system-module.ts', import.meta.url)),
    export: 'benchSystem',
  };
}

/**
 * Resolves once the follower has processed the leader's notification `id` (looking at its
 * tracking every millisecond: the follower may be in another process).
 */
async function waitForFollower(follower: Application, leaderName: string, id: number) {
  const recorder = follower.recorder as unknown as {
    hasTrackingId(name: string, id: number): Promise<boolean>;
  };
  const deadline = performance.now() + RUN_TIMEOUT_MS;
  while (!(await recorder.hasTrackingId(leaderName, id))) {
    if (performance.now() > deadline) {
      throw new Error(`the follower did not process ${leaderName}'s notification ${id} in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Reads the follower's events, checks that it made one per leader event (`expected` in all,
 * for distinct leader notifications), and returns the lag of each leader event after
 * `after` (the timed commands): the follower's stamp minus the leader's commit time.
 */
async function lagsOf(follower: Application, after: number, expected: number): Promise<number[]> {
  const processedAt = new Map<number, number>();
  let start = 1;
  let count = 0;
  for (;;) {
    const page = await follower.notificationLog.select(start, 1000);
    if (page.length === 0) break;
    for (const notification of page) {
      const event = follower.mapper.toDomainEvent(notification) as unknown as Relayed;
      processedAt.set(event.notificationId, event.processedAt);
      count++;
    }
    start = page[page.length - 1]!.id + 1;
  }
  if (count !== expected || processedAt.size !== expected) {
    throw new Error(
      `the follower made ${count} events for ${processedAt.size} leader events, expected ${expected}`,
    );
  }
  const lags: number[] = [];
  for (const [id, committed] of StampedSchool.committed) {
    if (id <= after) continue;
    const processed = processedAt.get(id);
    if (processed === undefined) throw new Error(`the follower did not process notification ${id}`);
    lags.push(processed - committed);
  }
  return lags;
}
