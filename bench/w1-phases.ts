/**
 * The phases of workload W1, for anything that can do its four operations: the library, a bare
 * driver, or a peer library (bench/peers/). Each side supplies a {@link W1Subject}; the phases,
 * the worker pool and the timing are the same for all of them.
 */
import { medianRatePerSecond, READ_PASSES, ratePerSecond, runPool } from './pool.js';
import type { Progress, W1Options } from './w1-figures.js';

/** The four operations of W1 on one side (library, bare driver or peer). */
export interface W1Subject {
  /** Prefix of this side's progress lines ('' for the library, 'raw ' for a bare driver). */
  readonly label: string;
  /** What the read phase's progress line calls what it counts ('notifications', 'read'). */
  readonly readName: string;
  /** Registers dog number `index` (one event); resolves to its id. */
  register(index: number): Promise<string>;
  /** One command: get the dog, add the trick, save. */
  command(id: string, trick: string): Promise<void>;
  /** Gets the dog; resolves to how many tricks it has. */
  get(id: string): Promise<number>;
  /**
   * Reads the whole log in pages of `pageSize`; resolves to how many events it read. Null when
   * this side has no way to read the whole log (the phase is then not measured).
   */
  readonly readAll: ((pageSize: number) => Promise<number>) | null;
}

/** The rates of one W1 run, per second; `read_per_s` is null when the side cannot read its log. */
export interface W1Rates {
  register_per_s: number;
  command_per_s: number;
  get_per_s: number;
  read_per_s: number | null;
}

/**
 * Runs the phases on fresh storage: registers `dogs` dogs, runs `tricks` rounds of commands on
 * every dog, gets every dog (checking its tricks), and reads the whole log {@link READ_PASSES}
 * times (the median pass is the figure), each phase with `inFlight` operations pending at once.
 */
export async function runW1Phases(
  subject: W1Subject,
  options: W1Options,
  progress: Progress,
): Promise<W1Rates> {
  const { dogs, tricks, inFlight } = options;
  const { label } = subject;
  const ids = new Array<string>(dogs);

  const register_per_s = await ratePerSecond(dogs, () =>
    runPool(inFlight, dogs, async (i) => {
      ids[i] = await subject.register(i);
    }),
  );
  progress(`${label}register ${fmt(register_per_s)}/s`);

  const command_per_s = await ratePerSecond(dogs * tricks, async () => {
    for (let round = 0; round < tricks; round++) {
      const trick = `trick-${round}`;
      await runPool(inFlight, dogs, (i) => subject.command(ids[i]!, trick));
    }
  });
  progress(`${label}command ${fmt(command_per_s)}/s`);

  const get_per_s = await ratePerSecond(dogs, () =>
    runPool(inFlight, dogs, async (i) => {
      const count = await subject.get(ids[i]!);
      if (count !== tricks) {
        throw new Error(`${label}dog ${ids[i]} has ${count} tricks, expected ${tricks}`);
      }
    }),
  );
  progress(`${label}get ${fmt(get_per_s)}/s`);

  const readAll = subject.readAll;
  if (readAll === null) return { register_per_s, command_per_s, get_per_s, read_per_s: null };
  const expected = dogs * (tricks + 1);
  let read = 0;
  const read_per_s = await medianRatePerSecond(READ_PASSES, expected, async () => {
    read = await readAll(options.pageSize);
  });
  if (read !== expected) {
    throw new Error(`${label}read ${read} events from the log, expected ${expected}`);
  }
  progress(`${label}${subject.readName} ${fmt(read_per_s)}/s`);
  return { register_per_s, command_per_s, get_per_s, read_per_s };
}

/** Formats a rate for progress lines. */
export function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
