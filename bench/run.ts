/**
 * `npm run bench`: workload W1 on every available backend through the library and through the
 * bare drivers, the notification log read, snapshot timing, memory growth, projections
 * (catch-up and live latency; `--only projections` runs them alone) and systems (a leader and
 * a process application under each runner; `--only system`, and `--python` for the Python
 * library's runners), the notification log over HTTP (`--only http`) and the DCB course
 * subscriptions beside the bare drivers (`--only dcb`); progress on
 * stderr, then a table (or, with `--json`, one JSON document) on stdout. Exits non-zero on
 * errors only: the targets are reported, not enforced. Each backend is measured in a child
 * process of its own (backend-process.ts). See docs/benchmarks.md.
 */
import { CHILD_BACKEND, measureInChildProcess } from './backend-process.js';
import { type BackendName, postgresSettingsFromEnv, type StoreSettings } from './backends.js';
import type { DcbFigures } from './dcb-report.js';
import type { HttpFigures } from './http-report.js';
import { fmt } from './library-w1.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { log, measureBackend } from './measure-backend.js';
import { type MemoryFigures, measureMemoryGrowth } from './memory-growth.js';
import { parseOptions, USAGE } from './options.js';
import type { ProjectionFigures } from './projection-report.js';
import { type BenchReport, evaluateTargets, formatTable, type ResultEntry } from './report.js';
import type { SnapshotFigures } from './snapshot-timing.js';
import { runPythonSystems } from './system-python.js';
import type { PythonSystemFigures, SystemPart } from './system-report.js';

async function main(argv: readonly string[]): Promise<number> {
  // `--only telemetry`: the OpenTelemetry instrumentation's cost, in this process.
  if (/--only[ =]telemetry\b/.test(argv.join(' '))) {
    return (await import('./telemetry.js')).runTelemetryBench(argv);
  }
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

  const child = process.env[CHILD_BACKEND];
  if (child !== undefined) {
    // A child process of the run below: measure one backend, print its figures.
    const figures = await measureBackend(child as BackendName, options, settings);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return 0;
  }

  const backends: BackendName[] = [];
  const skipped: BenchReport['skipped'] = [];
  const results: ResultEntry[] = [];
  const snapshots: SnapshotFigures[] = [];
  const projections: ProjectionFigures[] = [];
  const system: SystemPart = { entries: [], w1_memory_command_per_s: null, notes: [] };
  const http: HttpFigures[] = [];
  const dcb: DcbFigures[] = [];
  let sqliteInfo: MachineInfo['sqlite'] = null;
  for (const backend of options.backends) {
    const figures = await measureInChildProcess(backend, argv);
    if (figures.skipped !== null) {
      if (options.backendsExplicit) {
        throw new Error(
          `backend ${backend} was asked for but is not available: ${figures.skipped}`,
        );
      }
      skipped.push({ backend, reason: figures.skipped });
      log(`${backend}: SKIPPED (${figures.skipped})`);
      continue;
    }
    backends.push(backend);
    results.push(...figures.results);
    if (figures.snapshot !== null) snapshots.push(figures.snapshot);
    if (figures.sqlite !== null) sqliteInfo = figures.sqlite;
    projections.push(...figures.projections);
    if (figures.system !== null) {
      system.entries.push(...figures.system.entries);
      system.notes.push(...figures.system.notes);
      system.w1_memory_command_per_s ??= figures.system.w1_memory_command_per_s;
    }
    if (figures.http !== null) http.push(figures.http);
    dcb.push(...figures.dcb);
  }
  let pythonSystem: PythonSystemFigures[] = [];
  if (options.system && options.python) {
    pythonSystem = await runPythonSystems(options, settings, log);
  }
  const machine = await machineInfo(
    backends.includes('postgres') ? settings.postgres : null,
    sqliteInfo,
  );
  log(`machine: ${machine.cpus} × ${machine.cpu_model}, Node ${machine.node}`);

  let memory: MemoryFigures | null = null;
  if (options.memoryNotifications > 0 && backends.includes('memory')) {
    log(`memory growth: iterating ${fmt(options.memoryNotifications)} notifications`);
    memory = await measureMemoryGrowth(options.memoryNotifications);
    log(`memory growth: ${memory.rss_growth_mb.toFixed(1)} MB`);
  }

  const targets = evaluateTargets(results, snapshots, memory, projections, system, http, dcb);
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
      projection_events: options.projectionEvents > 0 ? options.projectionEvents : null,
      latency_samples: options.projectionEvents > 0 ? options.latencySamples : null,
    },
    results,
    snapshots,
    memory,
    projections,
    system: system.entries,
    system_w1_memory_command_per_s: system.w1_memory_command_per_s,
    system_notes: system.notes,
    python_system: pythonSystem,
    http,
    dcb,
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
