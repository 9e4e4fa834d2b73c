/**
 * `npm run bench:peers`: workload W1 on the library and on Emmett, on memory, SQLite and
 * PostgreSQL, with the same sizes, in one run. Each side runs in a worker process of its own
 * (warmed up once); the parent interleaves their runs, alternating which side goes first, so
 * neither gets the warmer machine; each figure is the median of `--repeat` runs. Progress on
 * stderr; a table (or `--json`) on stdout. See docs/benchmarks.md, "Peers".
 */
import { type BackendName, postgresSettingsFromEnv, type StoreSettings } from '../backends.js';
import { type MachineInfo, machineInfo } from '../machine.js';
import { medianOf } from '../pool.js';
import type { W1Options } from '../w1-figures.js';
import { fmt, type W1Rates } from '../w1-phases.js';
import { ensureEmmettDatabase } from './emmett-storage.js';
import { ensureEmmettInstalled } from './install-emmett.js';
import { PEERS_USAGE, type PeersOptions, parsePeersOptions } from './options.js';
import {
  formatPeersTable,
  type PeersReport,
  type PeersResultEntry,
  type SideResult,
} from './peers-report.js';
import { SideProcess } from './side-process.js';
import type { Side } from './worker-protocol.js';

function log(message: string): void {
  process.stderr.write(`[bench:peers] ${message}\n`);
}

/** Warm-up sizes: enough commands for V8 to optimise, few enough for Emmett's slow SQLite. */
function warmUpOf(backend: BackendName, options: PeersOptions): W1Options {
  const dogs = Math.min(options.dogs, backend === 'memory' ? 1000 : 200);
  return { dogs, tricks: 2, inFlight: 1, pageSize: options.pageSize };
}

/** Measures every side on one backend; returns one row per number in flight. */
async function measureBackend(
  backend: BackendName,
  sides: readonly Side[],
  options: PeersOptions,
  settings: StoreSettings,
  sqliteInfo: Record<string, unknown>,
): Promise<PeersResultEntry[]> {
  const processes = new Map<Side, SideProcess>();
  const unavailable = new Map<Side, string>();
  for (const side of sides) {
    const proc = new SideProcess({ side, backend, settings, warmUp: warmUpOf(backend, options) });
    try {
      await proc.start();
      processes.set(side, proc);
      if (proc.sqlite !== null) sqliteInfo[`${side}_synchronous`] = proc.sqlite.synchronous;
      if (proc.sqlite !== null) sqliteInfo[`${side}_journal_mode`] = proc.sqlite.journal_mode;
      log(`${backend} ${side}: warmed up`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      unavailable.set(side, `unavailable: ${reason}`);
      log(`${backend} ${side}: UNAVAILABLE (${reason})`);
    }
  }
  const rows: PeersResultEntry[] = [];
  try {
    for (const [index, inFlight] of options.inFlight.entries()) {
      const samples = new Map<Side, W1Rates[]>(sides.map((s) => [s, []]));
      const errors = new Map<Side, string>();
      for (let repeat = 0; repeat < options.repeat; repeat++) {
        // Alternate which side goes first, so that neither always runs on the warmer machine.
        const order = (index + repeat) % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const proc = processes.get(side);
          if (proc === undefined || errors.has(side)) continue;
          try {
            const w1 = {
              dogs: options.dogs,
              tricks: options.tricks,
              inFlight,
              pageSize: options.pageSize,
            };
            samples.get(side)!.push(await proc.run(w1));
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            errors.set(side, reason);
            log(`${backend} ${side} ×${inFlight}: FAILED (${reason})`);
          }
        }
      }
      const result = (side: Side): SideResult => {
        const reason = unavailable.get(side) ?? errors.get(side);
        if (reason !== undefined) return { error: reason };
        return { rates: medianOf(samples.get(side)!) };
      };
      rows.push({
        backend,
        inFlight,
        library: result('library'),
        emmett: sides.includes('emmett') ? result('emmett') : null,
      });
    }
  } finally {
    for (const proc of processes.values()) await proc.stop();
  }
  return rows;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parsePeersOptions>;
  try {
    parsed = parsePeersOptions(argv);
  } catch (error) {
    log(
      `${error instanceof Error ? error.message : String(error)} (see npm run bench:peers -- --help)`,
    );
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(`${PEERS_USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const settings: StoreSettings = {
    postgres: postgresSettingsFromEnv(),
    poolSize: 10, // pg.Pool's default, which Emmett's PostgreSQL store uses
    sqliteSynchronous: 'FULL', // SQLite's default, which Emmett's connections keep
  };
  let emmettVersion: string | null = null;
  const sides: Side[] = ['library'];
  if (!options.libraryOnly) {
    emmettVersion = await ensureEmmettInstalled(log);
    sides.push('emmett');
    log(`Emmett ${emmettVersion}`);
  }
  if (options.backends.includes('postgres') && !options.libraryOnly) {
    await ensureEmmettDatabase(settings.postgres);
  }
  const results: PeersResultEntry[] = [];
  const sqliteInfo: Record<string, unknown> = {};
  for (const backend of options.backends) {
    log(
      `${backend}: W1 with ${options.dogs} dogs, ${options.tricks} tricks, in flight ${options.inFlight.join(', ')}`,
    );
    results.push(...(await measureBackend(backend, sides, options, settings, sqliteInfo)));
  }
  for (const r of results) {
    const rates = 'rates' in r.library ? r.library.rates : null;
    if (rates) log(`${r.backend} ×${r.inFlight}: library get ${fmt(rates.get_per_s)}/s`);
  }
  const machine: MachineInfo = await machineInfo(
    options.backends.includes('postgres') ? settings.postgres : null,
    null,
  );
  const report: PeersReport = {
    machine: { ...machine, sqlite: Object.keys(sqliteInfo).length > 0 ? sqliteInfo : null },
    workload: {
      name: 'W1',
      dogs: options.dogs,
      tricks: options.tricks,
      inFlight: options.inFlight,
      repeat: options.repeat,
      page_size: options.pageSize,
      pool_size: settings.poolSize,
      backends: options.backends,
    },
    emmett: emmettVersion === null ? null : { version: emmettVersion },
    results,
  };
  const output = options.json ? JSON.stringify(report, null, 2) : formatPeersTable(report);
  await new Promise<void>((resolve) => process.stdout.write(`${output}\n`, () => resolve()));
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
process.exitCode = exitCode;
