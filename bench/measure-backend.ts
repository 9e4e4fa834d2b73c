/**
 * Everything measured on one backend: a probe, W1 through the library and the bare driver at
 * each number in flight, the snapshot timing, the projections, the systems, the log over
 * HTTP and the DCB course subscriptions. `npm run bench` runs this in a child process
 * per backend (see backend-process.ts).
 */
import { type BackendName, openStore, type StoreSettings } from './backends.js';
import { measureDcb } from './dcb.js';
import type { DcbFigures } from './dcb-report.js';
import { measureHttp } from './http.js';
import type { HttpFigures } from './http-report.js';
import { runLibraryW1 } from './library-w1.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { medianOf } from './pool.js';
import { probeBackend } from './probe.js';
import type { ProjectionFigures } from './projection-report.js';
import { measureProjections } from './projections.js';
import { RawPostgres } from './raw-postgres.js';
import { RawSqlite } from './raw-sqlite.js';
import { type RawDriver, runRawW1 } from './raw-w1.js';
import type { ResultEntry } from './report.js';
import { runSnapshotTiming, type SnapshotFigures } from './snapshot-timing.js';
import { measureSystems } from './system.js';
import type { SystemPart } from './system-report.js';
import type { LibraryW1Figures, RawW1Figures } from './w1-figures.js';

/** Dogs of the unreported warm-up pass that precedes each backend's measured runs. */
const WARM_UP_DOGS = 1000;

/** What one backend's measurements gave, or why it was skipped. */
export type BackendFigures =
  | { backend: BackendName; skipped: string }
  | {
      backend: BackendName;
      skipped: null;
      results: ResultEntry[];
      snapshot: SnapshotFigures | null;
      sqlite: MachineInfo['sqlite'];
      projections: ProjectionFigures[];
      system: SystemPart | null;
      http: HttpFigures | null;
      dcb: DcbFigures[];
    };

/** Writes a progress line on stderr. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Probes the backend, then measures it; a backend that fails its probe is skipped. */
export async function measureBackend(
  backend: BackendName,
  options: BenchOptions,
  settings: StoreSettings,
): Promise<BackendFigures> {
  let sqlite: MachineInfo['sqlite'] = null;
  try {
    const probe = await probeBackend(backend, settings);
    if (backend === 'sqlite') {
      const raw = await rawSqliteSettings(settings);
      sqlite = {
        library_synchronous:
          probe.synchronous ?? `${settings.sqliteSynchronous} (SQLITE_SYNCHRONOUS)`,
        library_journal_mode: probe.journalMode ?? 'unknown',
        raw_synchronous: raw.synchronous,
        raw_journal_mode: raw.journal_mode,
      };
    }
  } catch (error) {
    return { backend, skipped: error instanceof Error ? error.message : String(error) };
  }
  log(`${backend}: available`);
  const results = options.w1 ? await measureW1(backend, options, settings) : [];

  let snapshot: SnapshotFigures | null = null;
  if (options.snapshots) {
    const store = await openStore(backend, settings);
    try {
      snapshot = await runSnapshotTiming(
        store,
        settings,
        options.snapshotEvents,
        options.snapshotRepeats,
      );
      const raw = snapshot.raw_read_ms;
      log(
        `${backend} get of ${snapshot.events} events: ${snapshot.get_without_ms.toFixed(3)} ms ` +
          `without snapshot, ${snapshot.get_with_ms.toFixed(3)} ms with` +
          (raw === null ? '' : `; bare driver's read of the snapshot row ${raw.toFixed(3)} ms`),
      );
    } finally {
      await store.dispose();
    }
  }
  const projections =
    options.projectionEvents > 0
      ? await measureProjections(
          backend,
          settings,
          { events: options.projectionEvents, latencySamples: options.latencySamples },
          log,
        )
      : [];
  const system = options.system
    ? await measureSystems(
        backend,
        settings,
        { dogs: options.dogs, tricks: options.tricks, inFlight: options.inFlight },
        log,
      )
    : null;
  const http = options.http
    ? await measureHttp(backend, settings, { dogs: options.dogs, tricks: options.tricks }, log)
    : null;
  const dcb = options.dcb
    ? await measureDcb(
        backend,
        settings,
        {
          courses: options.dogs,
          rounds: options.tricks,
          inFlight: options.inFlight,
          repeat: options.repeat,
        },
        log,
      )
    : [];
  return { backend, skipped: null, results, snapshot, sqlite, projections, system, http, dcb };
}

/**
 * W1 on the library and the bare driver at each number in flight, after an unreported warm-up
 * pass (1,000 dogs) that lets V8 optimise both sides' code paths before they are timed.
 */
async function measureW1(
  backend: BackendName,
  options: BenchOptions,
  settings: StoreSettings,
): Promise<ResultEntry[]> {
  const warmUp = { ...options, dogs: Math.min(options.dogs, WARM_UP_DOGS), tricks: 2 };
  const warmStore = await openStore(backend, settings);
  try {
    await runLibraryW1(warmStore, { ...warmUp, inFlight: 8 }, () => {});
  } finally {
    await warmStore.dispose();
  }
  await rawRun(backend, settings, warmUp, 8, () => {});
  log(`${backend}: warmed up`);
  const results: ResultEntry[] = [];
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
  return results;
}

async function rawRun(
  backend: BackendName,
  settings: StoreSettings,
  options: Pick<BenchOptions, 'dogs' | 'tricks' | 'pageSize'>,
  inFlight: number,
  progress: (message: string) => void,
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
