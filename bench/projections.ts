/**
 * The projections entries of `npm run bench` on one backend: a counting view and an
 * event-sourced projection, each catching up over the same number of upstream events on fresh
 * storage, timed against the library's own read and decode of those events in the same run,
 * then the live latency from `save` to `runner.wait` resolving; on PostgreSQL the view's latency
 * sits next to a bare pg pipeline doing the same steps (raw-projection-latency.ts).
 */
import { dirname, join } from 'node:path';
import type { ApplicationRecorder } from 'eventsourcing/persistence';
import { EventSourcedProjectionRunner, ProjectionRunner } from 'eventsourcing/projection';
import { type BackendName, openStore, type Store, type StoreSettings } from './backends.js';
import { countingViewClass } from './counting-views.js';
import { Dog } from './dog-school.js';
import { latencyFigures } from './latency.js';
import { readNotificationLog } from './library-w1.js';
import { medianRatePerSecond, runPool } from './pool.js';
import type { ProjectionFigures, ProjectionKind } from './projection-report.js';
import { type ProjectionClasses, projectionClasses } from './projection-subjects.js';
import { measureRawProjectionLatency } from './raw-projection-latency.js';
import type { Progress } from './w1-figures.js';
import { fmt } from './w1-phases.js';

/** The sizes of the projections entries. */
export interface ProjectionOptions {
  /** Upstream events each projection catches up over. */
  readonly events: number;
  /** Live-latency samples (and of the bare pipeline). */
  readonly latencySamples: number;
}

/** The page size of the log read: the runners' default batch size. */
const LOG_PAGE_SIZE = 1000;
/** The log read is timed this many times and the median pass taken. */
const LOG_READ_PASSES = 3;
/** Upstream events per dog (a registration and tricks, saved together). */
const EVENTS_PER_DOG = 100;
/** The unreported warm-up pass of each kind, before the measured ones. */
const WARM_UP = { events: 2000, latencySamples: 10 };
/** Unreported live samples before the measured ones. */
const LATENCY_WARM_UP = 10;
/** How long a catch-up may take before the benchmark gives up. */
const CATCH_UP_TIMEOUT_MS = 30 * 60_000;
const KINDS: readonly ProjectionKind[] = ['view', 'event-sourced'];

/** Measures both kinds on `backend` (after an unreported warm-up pass of each). */
export async function measureProjections(
  backend: BackendName,
  settings: StoreSettings,
  options: ProjectionOptions,
  progress: Progress,
): Promise<ProjectionFigures[]> {
  const warmUp = {
    events: Math.min(options.events, WARM_UP.events),
    latencySamples: Math.min(options.latencySamples, WARM_UP.latencySamples),
  };
  for (const kind of KINDS) await measureKind(backend, kind, settings, warmUp, () => {});
  progress(`${backend} projections: warmed up`);
  const figures: ProjectionFigures[] = [];
  for (const kind of KINDS) {
    figures.push(
      await measureKind(backend, kind, settings, options, (m) =>
        progress(`${backend} ${kind} ${m}`),
      ),
    );
  }
  return figures;
}

/** The common face of the two runners that the measurement uses. */
interface Running {
  readonly app: InstanceType<ProjectionClasses['upstream']>;
  wait(notificationId: number, options: { timeout: number }): Promise<unknown>;
  stop(): Promise<unknown>;
  /** How many events the projection has made of its upstream ones (its check). */
  counted(): Promise<number>;
}

/** One kind on fresh storage: fill, read the log, catch up, sample the live latency. */
async function measureKind(
  backend: BackendName,
  kind: ProjectionKind,
  settings: StoreSettings,
  options: ProjectionOptions,
  progress: Progress,
): Promise<ProjectionFigures> {
  const store = await openStore(backend, settings);
  const classes = projectionClasses(store.appName);
  const env = runnerEnv(store, classes);
  try {
    const upstream = await classes.upstream.create({ env });
    if (backend === 'memory') {
      classes.upstream.shared = { recorder: upstream.recorder, mapper: upstream.mapper };
    }
    try {
      const { events } = options;
      await fill(upstream, events);
      const lastId = await upstream.recorder.maxNotificationId();
      if (lastId === null) throw new Error('the upstream application recorded nothing');
      progress(`${fmt(events)} upstream events written`);

      let read = 0;
      const log_read_per_s = await medianRatePerSecond(LOG_READ_PASSES, events, async () => {
        read = await readNotificationLog(upstream, LOG_PAGE_SIZE);
      });
      if (read !== events) throw new Error(`read ${read} upstream events, expected ${events}`);
      progress(`log read ${fmt(log_read_per_s)}/s`);

      const started = performance.now();
      const runner = startRunner(kind, backend, classes, env);
      try {
        await runner.wait(lastId, { timeout: CATCH_UP_TIMEOUT_MS });
        const seconds = (performance.now() - started) / 1000;
        const catchup_per_s = events / seconds;
        const counted = await runner.counted();
        if (counted !== events) {
          throw new Error(`the ${kind} projection made ${counted} of ${events} upstream events`);
        }
        progress(
          `catch-up ${fmt(catchup_per_s)}/s (${(catchup_per_s / log_read_per_s).toFixed(2)}× log read)`,
        );
        const latencies = await liveLatencies(runner, options.latencySamples);
        const result = { catchup_per_s, latency: latencyFigures(latencies) };
        await runner.stop();
        progress(
          `latency p50 ${result.latency.p50_ms.toFixed(2)} ms, p99 ${result.latency.p99_ms.toFixed(2)} ms`,
        );
        let raw_latency_p50_ms: number | null = null;
        if (backend === 'postgres' && kind === 'view') {
          const raw = await measureRawProjectionLatency(
            settings.postgres,
            `${store.tablePrefix}_rawp`,
            options.latencySamples,
          );
          raw_latency_p50_ms = raw.p50_ms;
          progress(`bare pg pipeline latency p50 ${raw.p50_ms.toFixed(2)} ms`);
        }
        return {
          backend,
          kind,
          events,
          catchup_per_s: result.catchup_per_s,
          log_read_per_s,
          latency_p50_ms: result.latency.p50_ms,
          latency_p99_ms: result.latency.p99_ms,
          raw_latency_p50_ms,
        };
      } finally {
        await runner.stop().catch(() => {});
      }
    } finally {
      classes.upstream.shared = null;
      await upstream.close();
    }
  } finally {
    await store.dispose();
  }
}

/**
 * The runner's environment: the store's, and on SQLite a file of its own for each projection
 * (SQLite's tables are not prefixed by name, so a view or a projection's events need their own
 * database), next to the application's.
 */
function runnerEnv(store: Store, classes: ProjectionClasses): Record<string, string> {
  const env: Record<string, string> = { ...store.env };
  if (store.sqlitePath !== null) {
    const dir = dirname(store.sqlitePath);
    for (const cls of [classes.counter, classes.tally]) {
      env[`${cls.name.toUpperCase()}_SQLITE_DBNAME`] = join(dir, `${cls.name}.db`);
    }
  }
  return env;
}

/** Constructs (and so starts) the runner of `kind`. */
function startRunner(
  kind: ProjectionKind,
  backend: BackendName,
  classes: ProjectionClasses,
  env: Record<string, string>,
): Running {
  if (kind === 'view') {
    const runner = new ProjectionRunner({
      applicationClass: classes.upstream,
      projectionClass: classes.counter,
      viewClass: countingViewClass(backend),
      env,
    });
    return {
      app: runner.app,
      wait: (id, options) => runner.wait(id, options),
      stop: () => runner.stop(),
      counted: () => runner.view.total(),
    };
  }
  const runner = new EventSourcedProjectionRunner({
    applicationClass: classes.upstream,
    projectionClass: classes.tally,
    env,
  });
  return {
    app: runner.app,
    wait: (id, options) => runner.wait(id, options),
    stop: () => runner.stop(),
    counted: () => countNotifications(runner.projection.recorder),
  };
}

/** How many notifications a recorder holds (read in pages, not decoded). */
async function countNotifications(recorder: ApplicationRecorder): Promise<number> {
  let count = 0;
  let start = 1;
  for (;;) {
    const page = await recorder.selectNotifications(start, LOG_PAGE_SIZE);
    if (page.length === 0) return count;
    count += page.length;
    start = page[page.length - 1]!.id + 1;
  }
}

/** Writes `events` upstream events: dogs with tricks, each dog's events in one save. */
async function fill(
  app: InstanceType<ProjectionClasses['upstream']>,
  events: number,
): Promise<void> {
  const dogs = Math.ceil(events / EVENTS_PER_DOG);
  await runPool(8, dogs, async (i) => {
    const dog = new Dog(`dog-${i}`);
    const size = Math.min(EVENTS_PER_DOG, events - i * EVENTS_PER_DOG);
    for (let k = 1; k < size; k++) dog.addTrick(`trick-${k}`);
    await app.save(dog);
  });
}

/**
 * With the runner caught up, saves one new event at a time and times `save` start to
 * `runner.wait(id)` resolved, after a few unreported samples.
 */
async function liveLatencies(runner: Running, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_WARM_UP + samples; i++) {
    const dog = new Dog(`live-${i}`);
    const started = performance.now();
    const recordings = await runner.app.save(dog);
    await runner.wait(recordings[recordings.length - 1]!.notification.id, { timeout: 10_000 });
    if (i >= LATENCY_WARM_UP) latencies.push(performance.now() - started);
  }
  return latencies;
}
