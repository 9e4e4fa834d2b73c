/** The command line of `npm run bench:peers`. */
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName } from '../backends.js';
import { positiveInt } from '../options.js';

/** What one run of the peers benchmark does. */
export interface PeersOptions {
  /** Print one JSON document on stdout instead of the table. */
  readonly json: boolean;
  readonly backends: readonly BackendName[];
  readonly dogs: number;
  readonly tricks: number;
  readonly inFlight: readonly number[];
  /** W1 runs per side, backend and number in flight; each figure is the median. */
  readonly repeat: number;
  readonly pageSize: number;
  /** Measure the library alone (no Emmett install): the smoke test's mode. */
  readonly libraryOnly: boolean;
}

/** The usage text of `--help`. */
export const PEERS_USAGE = `Usage: npm run bench:peers -- [options]

Workload W1 on the library and on Emmett, on the same backends, sizes and machine, in one run.
Emmett is installed into bench/peers/emmett/node_modules on first use (npm ci; sqlite3 is
built from source).

  --json            print one JSON document on stdout (progress stays on stderr)
  --quick           500 dogs, 2 tricks, 1 and 64 in flight, one run per pair
  --backends a,b    memory, sqlite, postgres (default: all)
  --dogs N          dogs registered (default 2000)
  --tricks N        commands per dog (default 4)
  --inflight 1,8,64 commands in flight (default 1,8,64)
  --repeat N        runs per side, median reported (default 3)
  --page N          events per page when reading the log (default 1000)
  --library-only    measure the library side alone (no Emmett)

PostgreSQL: the POSTGRES_* keys of npm run bench; Emmett's tables go in a database of their
own, emmett_bench (created if missing, emptied after each run).`;

/** Parses the command line; throws `RangeError` naming the bad option. */
export function parsePeersOptions(argv: readonly string[]): PeersOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      'library-only': { type: 'boolean', default: false },
      backends: { type: 'string' },
      dogs: { type: 'string' },
      tricks: { type: 'string' },
      inflight: { type: 'string' },
      repeat: { type: 'string' },
      page: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  let backends: BackendName[] = [...BACKENDS];
  if (values.backends !== undefined) {
    const names = values.backends.split(',').map((s) => s.trim());
    for (const name of names) {
      if (!(BACKENDS as readonly string[]).includes(name)) {
        throw new RangeError(`--backends: unknown backend '${name}' (use ${BACKENDS.join(', ')})`);
      }
    }
    backends = BACKENDS.filter((b) => names.includes(b));
  }
  let inFlight = quick ? [1, 64] : [1, 8, 64];
  if (values.inflight !== undefined) {
    const given = values.inflight.split(',').map((s) => positiveInt('inflight', s.trim(), 1));
    inFlight = [...new Set(given)].sort((a, b) => a - b);
  }
  return {
    json: values.json === true,
    backends,
    dogs: positiveInt('dogs', values.dogs, quick ? 500 : 2000),
    tricks: positiveInt('tricks', values.tricks, quick ? 2 : 4),
    inFlight,
    repeat: positiveInt('repeat', values.repeat, quick ? 1 : 3),
    pageSize: positiveInt('page', values.page, 1000),
    libraryOnly: values['library-only'] === true,
  };
}
