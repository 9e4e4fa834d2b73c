/**
 * W1 on a bare driver: the same storage work as the library with no library in between. Per
 * register one INSERT; per command one SELECT of the aggregate's stored events and one
 * autocommit single-row INSERT of the next version; per get one SELECT; then every stored row
 * read in pages. The same worker pool drives the same number of commands in flight.
 */
import { randomUUID } from 'node:crypto';
import type { Progress, RawW1Figures, W1Options } from './w1-figures.js';
import { runW1Phases, type W1Subject } from './w1-phases.js';

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
  const rates = await runW1Phases(rawSubject(driver, options.dogs), options, progress);
  return {
    register_per_s: rates.register_per_s,
    command_per_s: rates.command_per_s,
    get_per_s: rates.get_per_s,
    read_per_s: rates.read_per_s!,
  };
}

/** W1's storage work on a bare driver: the rows, with no library in between. */
function rawSubject(driver: RawDriver, dogs: number): W1Subject {
  // Ids made before the timing starts, as they always were on this side.
  const ids = new Array<string>(dogs);
  for (let i = 0; i < dogs; i++) ids[i] = randomUUID();
  return {
    label: 'raw ',
    readName: 'read',
    register: async (i) => {
      const id = ids[i]!;
      await driver.insert({
        originatorId: id,
        originatorVersion: 1,
        topic: REGISTERED,
        state: stateOf({ originator_topic: 'Dog', name: `dog-${i}` }),
      });
      return id;
    },
    command: async (id, trick) => {
      const version = await driver.selectCount(id);
      await driver.insert({
        originatorId: id,
        originatorVersion: version + 1,
        topic: TRICK_ADDED,
        state: stateOf({ trick }),
      });
    },
    // The registration is one of the rows; the rest are tricks.
    get: async (id) => (await driver.selectCount(id)) - 1,
    readAll: (pageSize) => driver.readAll(pageSize),
  };
}
