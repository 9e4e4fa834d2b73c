/**
 * W1 on a bare driver: the same storage work as the library with no library in between. Per
 * register one INSERT; per command one SELECT of the aggregate's stored events and one
 * autocommit single-row INSERT of the next version; per get one SELECT; then every stored row
 * read in pages. The same worker pool drives the same number of commands in flight.
 */
import { randomUUID } from 'node:crypto';
import { fmt } from './library-w1.js';
import { medianRatePerSecond, READ_PASSES, ratePerSecond, runPool } from './pool.js';
import type { Progress, RawW1Figures, W1Options } from './w1-figures.js';

/** A stored event row as the bare drivers write it. */
export interface RawRow {
  readonly originatorId: string;
  readonly originatorVersion: number;
  readonly topic: string;
  readonly state: Uint8Array;
}

/** The storage operations of W1 on one bare driver. */
export interface RawDriver {
  /** Creates the table (not timed). */
  setUp(): Promise<void>;
  /** One autocommit single-row INSERT. */
  insert(row: RawRow): Promise<void>;
  /** One SELECT of an aggregate's rows; resolves to how many there are. */
  selectCount(originatorId: string): Promise<number>;
  /** Reads every stored row in pages of `pageSize`; resolves to how many there were. */
  readAll(pageSize: number): Promise<number>;
  close(): Promise<void>;
}

/** The library's topics. */
const REGISTERED = 'Dog.Registered';
const TRICK_ADDED = 'Dog.TrickAdded';
const encoder = new TextEncoder();

/**
 * State bytes laid out as the library's JSON transcoder writes them (the timestamp first, as a
 * `datetime_iso` value with microseconds and a `+00:00` offset), so that the bare driver stores,
 * sends and reads rows of the same size as the library's.
 */
export function stateOf(fields: Record<string, string>): Uint8Array {
  const iso = new Date().toISOString();
  const timestamp = { _type_: 'datetime_iso', _data_: `${iso.slice(0, -1)}000+00:00` };
  return encoder.encode(JSON.stringify({ timestamp, ...fields }));
}

/** Runs W1 on a bare driver (already set up on fresh storage) and returns its rates. */
export async function runRawW1(
  driver: RawDriver,
  options: W1Options,
  progress: Progress,
): Promise<RawW1Figures> {
  const { dogs, tricks, inFlight } = options;
  const ids = new Array<string>(dogs);
  for (let i = 0; i < dogs; i++) ids[i] = randomUUID();

  const register_per_s = await ratePerSecond(dogs, () =>
    runPool(inFlight, dogs, (i) =>
      driver.insert({
        originatorId: ids[i]!,
        originatorVersion: 1,
        topic: REGISTERED,
        state: stateOf({ originator_topic: 'Dog', name: `dog-${i}` }),
      }),
    ),
  );
  progress(`raw register ${fmt(register_per_s)}/s`);

  const command_per_s = await ratePerSecond(dogs * tricks, async () => {
    for (let round = 0; round < tricks; round++) {
      const trick = `trick-${round}`;
      await runPool(inFlight, dogs, async (i) => {
        const id = ids[i]!;
        const version = await driver.selectCount(id);
        await driver.insert({
          originatorId: id,
          originatorVersion: version + 1,
          topic: TRICK_ADDED,
          state: stateOf({ trick }),
        });
      });
    }
  });
  progress(`raw command ${fmt(command_per_s)}/s`);

  const get_per_s = await ratePerSecond(dogs, () =>
    runPool(inFlight, dogs, async (i) => {
      const count = await driver.selectCount(ids[i]!);
      if (count !== tricks + 1) throw new Error(`raw: ${count} rows, expected ${tricks + 1}`);
    }),
  );
  progress(`raw get ${fmt(get_per_s)}/s`);

  const expected = dogs * (tricks + 1);
  let read = 0;
  const read_per_s = await medianRatePerSecond(READ_PASSES, expected, async () => {
    read = await driver.readAll(options.pageSize);
  });
  if (read !== expected) throw new Error(`raw: read ${read} rows, expected ${expected}`);
  progress(`raw read ${fmt(read_per_s)}/s`);
  return { register_per_s, command_per_s, get_per_s, read_per_s };
}
