/** The command line of `npm run bench`. */
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName } from './backends.js';

/** The parts of a run that `--only` selects from. */
export const BENCH_PARTS = [
  'w1',
  'snapshots',
  'memory',
  'projections',
  'system',
  'http',
  'dcb',
] as const;

/**
 * A part of a run: W1, the snapshot timing, the memory growth, the projections, the systems, the
 * notification log over HTTP, or the dynamic consistency boundaries.
 */
export type BenchPart = (typeof BENCH_PARTS)[number];

/** What one benchmark run does. */
export interface BenchOptions {
  /** Print one JSON document on stdout instead of the table. */
  json: boolean;
  /** The smaller workload of `--quick`. */
  quick: boolean;
  backends: BackendName[];
  /** Whether `--backends` was given: then a missing backend is an error, not a skip. */
  backendsExplicit: boolean;
  dogs: number;
  tricks: number;
  inFlight: number[];
  pageSize: number;
  poolSize: number;
  sqliteSynchronous: string;
  snapshotEvents: number;
  snapshotRepeats: number;
  /** Notifications for the memory-growth measurement (0 skips it). */
  memoryNotifications: number;
  /** W1 runs per backend and number in flight; each figure is the median. */
  repeat: number;
  /** Skip the snapshot timing. */
  snapshots: boolean;
  /** Run W1 (with its warm-up) on each backend. */
  w1: boolean;
  /** Upstream events each projection catches up over (0 skips the projections). */
  projectionEvents: number;
  /** Live-latency samples per projection (and of the bare pg pipeline). */
  latencySamples: number;
  /** Run the systems entries (issue 13) on each backend. */
  system: boolean;
  /** Also run the Python library's runners on the systems workload (bench/python/). */
  python: boolean;
  /** Read W1's log over HTTP beside the local read on each backend (issue 14). */
  http: boolean;
  /**
   * Run the course-subscription workload on the DCB recorders beside the bare drivers
   * (issue 15): `dogs` courses and students, `tricks` subscriptions each (at most 5).
   */
  dcb: boolean;
}

/** The usage text of `--help`. */
export const USAGE = `Usage: npm run bench -- [options]

  --json                    print one JSON document on stdout (progress stays on stderr)
  --quick                   smaller workload, 1 and 64 in flight (under a minute)
  --backends a,b            memory, sqlite, postgres (default: all available; given: all required)
  --dogs N                  dogs registered (default 2000; quick 500)
  --tricks N                commands per dog (default 4; quick 2)
  --inflight 1,8,64         commands in flight (default 1,8,64; quick 1,64)
  --repeat N                W1 runs per backend and number in flight, median reported (default 3; quick 1)
  --page N                  rows per page when reading the log (default 1000; the log is read
                            5 times per run, both sides, and the median pass reported)
  --pool N                  PostgreSQL connections, library and bare pg alike (default 10)
  --sqlite-synchronous S    OFF, NORMAL, FULL or EXTRA, both sides (default FULL)
  --snapshot-events N       events of the snapshot-timing aggregate (default 1000)
  --snapshot-repeats N      gets per median (default 15)
  --no-snapshots            skip the snapshot timing
  --memory-notifications N  notifications for the memory growth (default 1000000; quick 200000; 0 skips)
  --projection-events N     upstream events each projection catches up over (default 100000;
                            quick 20000; 0 skips the projections)
  --latency-samples N       live-latency samples per projection and of the bare pg pipeline
                            (default 300; quick 100)
  --only a,b                run only these parts: w1, snapshots, memory, projections, system,
                            http, dcb (the DCB course subscriptions: --dogs courses and
                            students, --tricks subscriptions each, at most 5)
  --python                  with the system part: also the Python library's runners on the same
                            workload (bench/python/system_bench.py; needs /usr/bin/python3 or
                            PYTHON, the library's source in PYEVENTSOURCING_PATH or /tmp/pyes,
                            and Debian's python3-psycopg and python3-psycopg-pool)

PostgreSQL is reached with POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and
POSTGRES_DBNAME (default 127.0.0.1:5432, user postgres, database test).`;

/** An integer option of at least `min`, or `fallback` when it is not given. */
export function positiveInt(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    throw new RangeError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Parses the command line; throws `RangeError`/`TypeError` naming the bad option. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      backends: { type: 'string' },
      dogs: { type: 'string' },
      tricks: { type: 'string' },
      inflight: { type: 'string' },
      page: { type: 'string' },
      pool: { type: 'string' },
      'sqlite-synchronous': { type: 'string' },
      'snapshot-events': { type: 'string' },
      'snapshot-repeats': { type: 'string' },
      'no-snapshots': { type: 'boolean', default: false },
      repeat: { type: 'string' },
      'memory-notifications': { type: 'string' },
      'projection-events': { type: 'string' },
      'latency-samples': { type: 'string' },
      only: { type: 'string' },
      python: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  let backends = [...BACKENDS];
  if (values.backends !== undefined) {
    const names = values.backends
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const name of names) {
      if (!(BACKENDS as readonly string[]).includes(name)) {
        throw new RangeError(`--backends: unknown backend '${name}' (use ${BACKENDS.join(', ')})`);
      }
    }
    if (names.length === 0) throw new RangeError('--backends needs at least one backend');
    backends = BACKENDS.filter((b) => names.includes(b));
  }
  let inFlight = quick ? [1, 64] : [1, 8, 64];
  if (values.inflight !== undefined) {
    inFlight = values.inflight.split(',').map((s) => positiveInt('inflight', s.trim(), 1));
    inFlight = [...new Set(inFlight)].sort((a, b) => a - b);
  }
  const parts = parseParts(values.only);
  const synchronous = (values['sqlite-synchronous'] ?? 'FULL').toUpperCase();
  if (!['OFF', 'NORMAL', 'FULL', 'EXTRA'].includes(synchronous)) {
    throw new RangeError(
      `--sqlite-synchronous must be OFF, NORMAL, FULL or EXTRA, got ${synchronous}`,
    );
  }
  return {
    json: values.json === true,
    quick,
    backends,
    backendsExplicit: values.backends !== undefined,
    dogs: positiveInt('dogs', values.dogs, quick ? 500 : 2000),
    tricks: positiveInt('tricks', values.tricks, quick ? 2 : 4),
    inFlight,
    pageSize: positiveInt('page', values.page, 1000),
    poolSize: positiveInt('pool', values.pool, 10),
    sqliteSynchronous: synchronous,
    snapshotEvents: positiveInt('snapshot-events', values['snapshot-events'], 1000, 2),
    snapshotRepeats: positiveInt('snapshot-repeats', values['snapshot-repeats'], 15),
    memoryNotifications: parts.has('memory')
      ? positiveInt(
          'memory-notifications',
          values['memory-notifications'],
          quick ? 200_000 : 1_000_000,
          0,
        )
      : 0,
    snapshots: parts.has('snapshots') && values['no-snapshots'] !== true,
    repeat: positiveInt('repeat', values.repeat, quick ? 1 : 3),
    w1: parts.has('w1'),
    projectionEvents: parts.has('projections')
      ? positiveInt('projection-events', values['projection-events'], quick ? 20_000 : 100_000, 0)
      : 0,
    latencySamples: positiveInt('latency-samples', values['latency-samples'], quick ? 100 : 300),
    system: parts.has('system'),
    python: values.python === true,
    http: parts.has('http'),
    dcb: parts.has('dcb'),
  };
}

/** The parts `--only` names (every part when it is not given). */
function parseParts(only: string | undefined): ReadonlySet<BenchPart> {
  if (only === undefined) return new Set(BENCH_PARTS);
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(BENCH_PARTS as readonly string[]).includes(name)) {
      throw new RangeError(`--only: unknown part '${name}' (use ${BENCH_PARTS.join(', ')})`);
    }
  }
  if (names.length === 0) throw new RangeError('--only needs at least one part');
  return new Set(names as BenchPart[]);
}
