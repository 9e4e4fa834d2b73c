/**
 * `npm run bench`: workload W1 on every available backend through the library and through the
 * bare drivers, the notification log read, snapshot timing and memory growth; progress on
 * stderr, then a table (or, with `--json`, one JSON document) on stdout. Exits non-zero on
 * errors only: the targets are reported, not enforced. See docs/benchmarks.md.
 */
import {
  type BackendName,
  openStore,
  postgresSettingsFromEnv,
  type StoreSettings,
} from './backends.js';
import { fmt, runLibraryW1 } from './library-w1.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { type MemoryFigures, measureMemoryGrowth } from './memory-growth.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { medianOf } from './pool.js';
import { type ProbeResult, probeBackend } from './probe.js';
import { RawPostgres } from './raw-postgres.js';
import { RawSqlite } from './raw-sqlite.js';
import { type RawDriver, runRawW1 } from './raw-w1.js';
import { type BenchReport, evaluateTargets, formatTable, type ResultEntry } from './report.js';
import { runSnapshotTiming, type SnapshotFigures } from './snapshot-timing.js';
import type { LibraryW1Figures, RawW1Figures } from './w1-figures.js';

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** Dogs of the unreported warm-up pass that precedes each backend's measured runs. */
const WARM_UP_DOGS = 1000;

async function rawRun(
  backend: BackendName,
  settings: StoreSettings,
  options: Pick<BenchOptions, 'dogs' | 'tricks' | 'pageSize'>,
  inFlight: number,
  progress: (message: string) => void = (m) => log(`${backend} ×${inFlight} ${m}`),
): Promise<RawW1Figures | null> {
  if (backend === 'memory') return null;
  const store = await openStore(backend, settings);
  let driver: RawDriver;
  if (backend === 'sqlite') driver = new RawSqlite(store.sqlitePath!, settings.sqliteSynchronous);
  else driver = new RawPostgres(settings.postgres, store.tablePrefix, settings.poolSize);
  try {
    await driver.setUp();
    return await runRawW1(driver, { ...options, inFlight }, progress);
  } finally {
    await driver.close();
    await store.dispose();
  }
}

async function rawSqliteSettings(settings: StoreSettings) {
  const store = await openStore('sqlite', settings);
  const driver = new RawSqlite(store.sqlitePath!, settings.sqliteSynchronous);
  try {
    await driver.setUp();
    return driver.settings();
  } finally {
    await driver.close();
    await store.dispose();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    // A usage mistake: the message is enough, no stack.
    log(`${error instanceof Error ? error.message : String(error)} (see npm run bench -- --help)`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const settings: StoreSettings = {
    postgres: postgresSettingsFromEnv(),
    poolSize: options.poolSize,
    sqliteSynchronous: options.sqliteSynchronous,
  };

  const backends: BackendName[] = [];
  const skipped: BenchReport['skipped'] = [];
  const probes = new Map<BackendName, ProbeResult>();
  for (const backend of options.backends) {
    try {
      probes.set(backend, await probeBackend(backend, settings));
      backends.push(backend);
      log(`${backend}: available`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (options.backendsExplicit) {
        throw new Error(`backend ${backend} was asked for but is not available: ${reason}`, {
          cause: error,
        });
      }
      skipped.push({ backend, reason });
      log(`${backend}: SKIPPED (${reason})`);
    }
  }

  let sqliteInfo: MachineInfo['sqlite'] = null;
  if (backends.includes('sqlite')) {
    const raw = await rawSqliteSettings(settings);
    const probe = probes.get('sqlite');
    sqliteInfo = {
      library_synchronous:
        probe?.synchronous ?? `${settings.sqliteSynchronous} (SQLITE_SYNCHRONOUS)`,
      library_journal_mode: probe?.journalMode ?? 'unknown',
      raw_synchronous: raw.synchronous,
      raw_journal_mode: raw.journal_mode,
    };
  }
  const machine = await machineInfo(
    backends.includes('postgres') ? settings.postgres : null,
    sqliteInfo,
  );
  log(`machine: ${machine.cpus} × ${machine.cpu_model}, Node ${machine.node}`);

  const results: ResultEntry[] = [];
  for (const backend of backends) {
    // Warm-up (not reported): let V8 optimise both sides' code paths before they are timed.
    const warmUp = { ...options, dogs: Math.min(options.dogs, WARM_UP_DOGS), tricks: 2 };
    const warmStore = await openStore(backend, settings);
    try {
      await runLibraryW1(warmStore, { ...warmUp, inFlight: 8 }, () => {});
    } finally {
      await warmStore.dispose();
    }
    await rawRun(backend, settings, warmUp, 8, () => {});
    log(`${backend}: warmed up`);
    for (const inFlight of options.inFlight) {
      const label = `${backend} ×${inFlight}`;
      log(`${label}: W1 with ${options.dogs} dogs, ${options.tricks} tricks`);
      const libraries: LibraryW1Figures[] = [];
      const raws: RawW1Figures[] = [];
      for (let repeat = 1; repeat <= options.repeat; repeat++) {
        const tag = options.repeat > 1 ? `${label} #${repeat}` : label;
        const store = await openStore(backend, settings);
        try {
          libraries.push(
            await runLibraryW1(store, { ...options, inFlight }, (m) => log(`${tag} ${m}`)),
          );
        } finally {
          await store.dispose();
        }
        const raw = await rawRun(backend, settings, options, inFlight, (m) => log(`${tag} ${m}`));
        if (raw !== null) raws.push(raw);
      }
      const library = medianOf(libraries);
      const raw = raws.length > 0 ? medianOf(raws) : null;
      results.push({ backend, inFlight, ...library, raw });
    }
  }

  const snapshots: SnapshotFigures[] = [];
  if (options.snapshots) {
    for (const backend of backends) {
      const store = await openStore(backend, settings);
      try {
        const figures = await runSnapshotTiming(
          store,
          options.snapshotEvents,
          options.snapshotRepeats,
        );
        snapshots.push(figures);
        log(
          `${backend} get of ${figures.events} events: ${figures.get_without_ms.toFixed(3)} ms ` +
            `without snapshot, ${figures.get_with_ms.toFixed(3)} ms with`,
        );
      } finally {
        await store.dispose();
      }
    }
  }

  let memory: MemoryFigures | null = null;
  if (options.memoryNotifications > 0 && backends.includes('memory')) {
    log(`memory growth: iterating ${fmt(options.memoryNotifications)} notifications`);
    memory = await measureMemoryGrowth(options.memoryNotifications);
    log(`memory growth: ${memory.rss_growth_mb.toFixed(1)} MB`);
  }

  const targets = evaluateTargets(results, snapshots, memory);
  const report: BenchReport = {
    machine: { ...machine },
    workload: {
      name: 'W1',
      dogs: options.dogs,
      tricks: options.tricks,
      commands: options.dogs * options.tricks,
      events: options.dogs * (options.tricks + 1),
      inFlight: options.inFlight,
      backends,
      page_size: options.pageSize,
      pool_size: options.poolSize,
      repeat: options.repeat,
      sqlite_synchronous: options.sqliteSynchronous,
      quick: options.quick,
      snapshot_events: options.snapshots ? options.snapshotEvents : null,
      memory_notifications: memory === null ? null : options.memoryNotifications,
    },
    results,
    snapshots,
    memory,
    skipped,
    targets,
  };
  for (const t of targets) {
    const met = t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met';
    log(`target ${t.id}: ${met} (${t.measured})`);
  }
  const output = options.json ? JSON.stringify(report, null, 2) : formatTable(report);
  await new Promise<void>((resolve) => process.stdout.write(`${output}\n`, () => resolve()));
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `[bench] error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
}
process.exitCode = exitCode;
// Every application and driver is closed by now, so the process should exit by itself; if
// something still holds it open, say what (a leak worth fixing) and exit anyway.
setTimeout(() => {
  const handles = (
    process as unknown as { getActiveResourcesInfo?: () => string[] }
  ).getActiveResourcesInfo?.();
  log(`warning: still running 3 s after finishing; open resources: ${handles?.join(', ')}`);
  process.exit(exitCode);
}, 3000).unref();
