/**
 * What the OpenTelemetry instrumentation costs (issue 16): W1 in memory, one command in flight,
 * with the instrumentation off (`EVENTSOURCING_TELEMETRY=no`, or `@opentelemetry/api` not
 * installed), on with the API but no SDK registered, and with an SDK (a tracer provider with a
 * batch span processor whose exporter drops the spans, a meter provider with a reader, and
 * the async-hooks context manager). The states alternate in one process, `--repeat` rounds
 * (default 5), and the figure of each is its median; the target is "off within 5% of a build
 * without instrumentation", which the off state is, hook for hook (one null check per save,
 * get and batch). Run it with `npm run bench -- --only telemetry [--dogs N] [--tricks N]
 * [--repeat N] [--json]`, or `npx tsx bench/telemetry.ts`.
 */
import { parseArgs } from 'node:util';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadOtelInstrumentation, useInstrumentation } from '../src/telemetry/instrumentation.js';
import { DogSchool, namedApplication } from './dog-school.js';
import { librarySubject } from './library-w1.js';
import { runW1Phases, type W1Rates } from './w1-phases.js';

/** The states compared. */
const STATES = ['off', 'api, no SDK', 'SDK'] as const;
type State = (typeof STATES)[number];

/** One state's median rates and their ratio to the off state's. */
export interface TelemetryFigures {
  readonly state: State;
  readonly command_per_s: number;
  readonly get_per_s: number;
  readonly register_per_s: number;
  /** Median commands per second over the off state's (1 = no cost). */
  readonly command_ratio: number;
}

/** A metric reader that collects only when asked. */
class QuietReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Registers an SDK as an application would; resolves to its shutdown. */
function registerSdk(): () => Promise<void> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = {
    export: (_spans: unknown[], done: (result: { code: number }) => void) => done({ code: 0 }),
    shutdown: async () => {},
  };
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({ readers: [new QuietReader()] });
  metrics.setGlobalMeterProvider(meterProvider);
  return async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    context.disable();
  };
}

async function runOnce(state: State, dogs: number, tricks: number): Promise<W1Rates> {
  const instrumented = await loadOtelInstrumentation();
  if (instrumented === null) throw new Error('@opentelemetry/api is not installed.');
  useInstrumentation(state === 'off' ? null : instrumented);
  const shutdown = state === 'SDK' ? registerSdk() : null;
  const App = namedApplication(DogSchool, 'TelemetryBench');
  const app = new App({ env: { PERSISTENCE_MODULE: 'memory' } });
  try {
    return await runW1Phases(
      librarySubject(app),
      { dogs, tricks, inFlight: 1, pageSize: 1000 },
      () => {},
    );
  } finally {
    await app.close();
    await shutdown?.();
    useInstrumentation(null);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs the comparison; resolves to the process exit status. */
export async function runTelemetryBench(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    options: {
      dogs: { type: 'string' },
      tricks: { type: 'string' },
      repeat: { type: 'string' },
      json: { type: 'boolean' },
      quick: { type: 'boolean' },
    },
  });
  const quick = values.quick === true;
  const dogs = Number(values.dogs ?? (quick ? 500 : 2000));
  const tricks = Number(values.tricks ?? (quick ? 2 : 4));
  const repeat = Number(values.repeat ?? (quick ? 3 : 5));
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  log(`telemetry: W1 in memory, ${dogs} dogs × ${tricks} tricks, 1 in flight, ${repeat} rounds`);
  // A warm-up pass of each state, not counted.
  for (const state of STATES) await runOnce(state, Math.min(dogs, 500), tricks);
  const runs = new Map<State, W1Rates[]>(STATES.map((s) => [s, []]));
  for (let round = 0; round < repeat; round++) {
    for (const state of STATES) {
      const rates = await runOnce(state, dogs, tricks);
      runs.get(state)!.push(rates);
      log(`  round ${round + 1} ${state}: command ${Math.round(rates.command_per_s)}/s`);
    }
  }
  const off = median(runs.get('off')!.map((r) => r.command_per_s));
  const figures: TelemetryFigures[] = STATES.map((state) => {
    const rates = runs.get(state)!;
    const command = median(rates.map((r) => r.command_per_s));
    return {
      state,
      command_per_s: Math.round(command),
      get_per_s: Math.round(median(rates.map((r) => r.get_per_s))),
      register_per_s: Math.round(median(rates.map((r) => r.register_per_s))),
      command_ratio: Number((command / off).toFixed(3)),
    };
  });
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ telemetry: figures })}\n`);
  } else {
    process.stdout.write('| state | register/s | command/s | get/s | command vs off |\n');
    process.stdout.write('| --- | ---: | ---: | ---: | ---: |\n');
    for (const f of figures) {
      process.stdout.write(
        `| ${f.state} | ${f.register_per_s} | ${f.command_per_s} | ${f.get_per_s} | ` +
          `${f.command_ratio.toFixed(3)} |\n`,
      );
    }
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runTelemetryBench(process.argv.slice(2));
}
