import { DataError, ProgrammingError } from '../persistence/errors.js';
import type { StoredEvent, Tracking } from '../persistence/stored-event.js';
import { alreadyRecorded } from './already-recorded.js';
import type { PgPoolClient } from './driver.js';
import { eventKey } from './event-key.js';
import { isConnectionError, mapPgError, mapWriteError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import type { OriginatorIdType } from './postgres-settings.js';
import { statementName } from './statement-name.js';
import { trackingConflict } from './tracking-conflict.js';

/** One save waiting to be written: its events, its tracking, and how to settle it. */
export interface PendingSave {
  readonly events: readonly StoredEvent[];
  readonly tracking: Tracking | null;
  /** The bytes of its events' states. */
  readonly bytes: number;
  readonly resolve: (ids: number[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Options of `WriteQueue`. */
export interface WriteQueueOptions {
  readonly datastore: PostgresDatastore;
  /** The write function, qualified and quoted. */
  readonly functionSql: string;
  readonly idType: OriginatorIdType;
  /** Whether the function takes tracking arrays (process recorders). */
  readonly tracked: boolean;
  /** Makes the tables ready (awaited before the first call). */
  readonly ready: () => Promise<void>;
  /** The most state bytes a group of several saves holds (default `DEFAULT_MAX_GROUP_BYTES`). */
  readonly maxGroupBytes?: number | undefined;
  /** Called after each write has committed (to wake this process's subscriptions). */
  readonly onCommitted?: () => void;
}

/** Bounds on one group, so that a burst is sent as several calls of reasonable size. */
const MAX_GROUP_SAVES = 1000;
const MAX_GROUP_EVENTS = 20_000;
/**
 * The default bound on the state bytes of a group of several saves (16 MiB). A group's states go
 * out as one hex text parameter, which must stay far below V8's string limit; saves this large
 * gain nothing from sharing a call. A save larger than this is sent alone.
 */
export const DEFAULT_MAX_GROUP_BYTES = 16 * 1024 * 1024;

/** SQLSTATE classes of a statement rejected for its data: the transaction did nothing. */
function isDataRejection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('23') || code.startsWith('22'));
}

/**
 * Group commit for one events table: saves that arrive while a call of the write function is in
 * flight are queued and sent together as the next call (a group never waits to fill: with
 * nothing in flight, a save is sent at once, at the end of the current microtask queue). Each
 * save stays atomic and is told of its own conflict alone.
 *
 * A save that repeats an event (or the tracked application) of an earlier save in the queue is
 * held back for the next group, so a group never holds two claims to one version: the next call
 * then finds the version recorded (`IntegrityError`) or free (the earlier save was rejected),
 * exactly as if the saves had been sent one by one.
 */
export class WriteQueue {
  /** How many calls of the write function have been sent. */
  calls = 0;
  private readonly options: WriteQueueOptions;
  private readonly text: string;
  private readonly name: string;
  private readonly uuid: boolean;
  private readonly maxGroupBytes: number;
  private queue: PendingSave[] = [];
  private running: Promise<void> | null = null;
  /** Saves being written alone (`writeAlone`), until they settle. */
  private readonly alone = new Set<Promise<number[]>>();

  constructor(options: WriteQueueOptions) {
    this.options = options;
    this.uuid = options.idType === 'uuid';
    this.maxGroupBytes = options.maxGroupBytes ?? DEFAULT_MAX_GROUP_BYTES;
    const tracking = options.tracked ? '$6::int[], $7::text[], $8::bigint[], ' : '';
    const last = options.tracked ? 9 : 6;
    this.text =
      `SELECT r_save, r_id, r_kind FROM ${options.functionSql}($1::${options.idType}[], ` +
      `$2::bigint[], $3::text[], $4::bytea[], $5::int[], ${tracking}$${last}::text)`;
    this.name = statementName(this.text);
  }

  /**
   * Queues a checked save (`bytes`: its states' bytes, as `checkEvents` returns them); resolves
   * to its notification ids.
   */
  enqueue(
    events: readonly StoredEvent[],
    tracking: Tracking | null,
    bytes: number,
  ): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.queue.push({ events, tracking, bytes, resolve, reject });
      if (this.running === null) this.running = this.run();
    });
  }

  /** Resolves when every queued save, and every save written alone, has been settled. */
  async drain(): Promise<void> {
    while (this.running !== null) await this.running;
    await Promise.allSettled(this.alone);
  }

  private async run(): Promise<void> {
    try {
      // Saves made in the same tick (Promise.all) go together; nothing waits on a timer.
      await undefined;
      while (this.queue.length > 0) await this.send(this.takeGroup());
    } finally {
      this.running = null;
    }
  }

  private takeGroup(): PendingSave[] {
    const queue = this.queue;
    if (queue.length === 1) {
      this.queue = [];
      return queue;
    }
    const group: PendingSave[] = [];
    const held: PendingSave[] = [];
    const claimed = new Set<string>();
    let events = 0;
    let bytes = 0;
    for (const save of queue) {
      const keys = save.events.map((e) => eventKey(e, this.uuid));
      if (save.tracking !== null) keys.push(`\u0001${save.tracking.applicationName}`);
      // The first save always goes: one that is large by itself is sent alone.
      const full =
        group.length >= MAX_GROUP_SAVES ||
        (group.length > 0 &&
          (events + save.events.length > MAX_GROUP_EVENTS ||
            bytes + save.bytes > this.maxGroupBytes));
      // Held-back saves keep their claims, so later saves cannot overtake them on a version.
      if (full || keys.some((k) => claimed.has(k))) held.push(save);
      else {
        group.push(save);
        events += save.events.length;
        bytes += save.bytes;
      }
      for (const k of keys) claimed.add(k);
    }
    this.queue = held;
    return group;
  }

  /** Sends one group and settles each of its saves; never rejects. */
  private async send(group: PendingSave[]): Promise<void> {
    const { datastore } = this.options;
    try {
      await this.options.ready();
    } catch (error) {
      for (const save of group) save.reject(error);
      return;
    }
    const g = group.length;
    const { values, starts } = this.parameters(group);
    let client: Awaited<ReturnType<PostgresDatastore['connect']>>;
    try {
      client = await datastore.connect();
    } catch (error) {
      for (const save of group) save.reject(error);
      return;
    }
    let rows: unknown[][];
    try {
      this.calls++;
      rows = (await client.query({ name: this.name, text: this.text, values, rowMode: 'array' }))
        .rows as unknown[][];
    } catch (error) {
      datastore.release(client, error);
      if (g > 1 && !isConnectionError(error) && isDataRejection(error)) {
        // The transaction did nothing: send each save alone, so only the bad one fails.
        for (const save of group) await this.send([save]);
        return;
      }
      const mapped = mapWriteError(error, datastore.server);
      for (const save of group) save.reject(mapped);
      return;
    }
    datastore.release(client);
    this.settle(group, starts, rows);
    this.options.onCommitted?.();
  }

  /** The write function's parallel arrays for a group, and where each save's events start. */
  private parameters(group: readonly PendingSave[]): { values: unknown[]; starts: number[] } {
    const g = group.length;
    let total = 0;
    for (let i = 0; i < g; i++) total += group[i]!.events.length;
    const ids = new Array<string>(total);
    const versions = new Array<number>(total);
    const topics = new Array<string>(total);
    const states = new Array<Uint8Array>(total);
    const saves = new Array<number>(total);
    const starts = new Array<number>(g);
    const tSaves: number[] = [];
    const tNames: string[] = [];
    const tIds: number[] = [];
    let k = 0;
    for (let i = 0; i < g; i++) {
      const save = group[i]!;
      starts[i] = k;
      const events = save.events;
      for (let j = 0; j < events.length; j++) {
        const e = events[j]!;
        ids[k] = e.originatorId;
        versions[k] = e.originatorVersion;
        topics[k] = e.topic;
        states[k] = e.state;
        saves[k] = i;
        k++;
      }
      if (save.tracking !== null) {
        tSaves.push(i);
        tNames.push(save.tracking.applicationName);
        tIds.push(save.tracking.notificationId);
      }
    }
    const lockTimeout = `${this.options.datastore.settings.lockTimeout}s`;
    const values = this.options.tracked
      ? [ids, versions, topics, states, saves, tSaves, tNames, tIds, lockTimeout]
      : [ids, versions, topics, states, saves, lockTimeout];
    return { values, starts };
  }

  /**
   * Writes one checked save in a transaction of its own, outside the groups: `BEGIN`, the write
   * function for this save alone (which takes the table lock), then `extra(client, ids)` (a
   * custom recorder's statements), then `COMMIT`. A conflict, or `extra` throwing, rolls back:
   * nothing of the save is stored, and other saves are not affected. Resolves to the ids.
   */
  writeAlone(
    events: readonly StoredEvent[],
    tracking: Tracking | null,
    extra: (client: PgPoolClient, notificationIds: number[]) => Promise<void>,
  ): Promise<number[]> {
    const write = this.transact(events, tracking, extra);
    this.alone.add(write);
    const forget = () => this.alone.delete(write);
    write.then(forget, forget);
    return write;
  }

  private async transact(
    events: readonly StoredEvent[],
    tracking: Tracking | null,
    extra: (client: PgPoolClient, notificationIds: number[]) => Promise<void>,
  ): Promise<number[]> {
    const { datastore } = this.options;
    await this.options.ready();
    let outcome: number[] | Error | null = null;
    const save: PendingSave = {
      events,
      tracking,
      bytes: 0,
      resolve: (ids) => {
        outcome = ids;
      },
      reject: (error) => {
        outcome = error instanceof Error ? error : new Error(String(error));
      },
    };
    const { values, starts } = this.parameters([save]);
    const client = await datastore.connect();
    // What the connection last failed with: a connection error discards it.
    let failure: unknown;
    let stage: 'write' | 'extra' | 'commit' = 'write';
    try {
      await client.query('BEGIN');
      this.calls++;
      const result = await client.query({
        name: this.name,
        text: this.text,
        values,
        rowMode: 'array',
      });
      this.settle([save], starts, result.rows as unknown[][]);
      const settled = outcome as number[] | Error | null;
      if (!Array.isArray(settled))
        throw settled ?? new ProgrammingError('The save was not settled.');
      stage = 'extra';
      await extra(client, settled);
      stage = 'commit';
      await client.query('COMMIT');
      this.options.onCommitted?.();
      return settled;
    } catch (error) {
      failure = error;
      if (stage === 'commit') throw mapWriteError(error, datastore.server);
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        failure = rollbackError;
      }
      throw stage === 'extra' ? error : mapPgError(error, datastore.server);
    } finally {
      datastore.release(client, failure);
    }
  }

  private settle(group: PendingSave[], starts: number[], rows: unknown[][]): void {
    let rejected: Map<number, Error> | null = null;
    let deleted: Set<unknown> | null = null;
    let inserted: unknown[] = [];
    for (const row of rows) {
      const save = row[0];
      if (save === null) {
        if (row[2] === null) inserted.push(row[1]);
        else {
          deleted ??= new Set();
          deleted.add(row[1]);
        }
        continue;
      }
      const index = save as number;
      const pending = group[index]!;
      rejected ??= new Map();
      if (rejected.has(index)) continue;
      if (row[2] === 'event') {
        const ordinal = (row[1] as number) - 1 - starts[index]!;
        rejected.set(index, alreadyRecorded(pending.events[ordinal]));
      } else {
        const max = typeof row[1] === 'number' ? row[1] : null;
        rejected.set(index, trackingConflict(pending.tracking!, max));
      }
    }
    // A rejected save's rows inserted before its conflict was found were deleted again.
    if (deleted !== null) {
      const gone = deleted;
      inserted = inserted.filter((id) => !gone.has(id));
    }
    let position = 0;
    for (let i = 0; i < group.length; i++) {
      const save = group[i]!;
      const error = rejected?.get(i);
      if (error !== undefined) {
        save.reject(error);
        continue;
      }
      const n = save.events.length;
      if (position + n > inserted.length) {
        save.reject(
          new ProgrammingError(
            `Couldn't get all notification IDs (got ${inserted.length - position}, expected ` +
              `${n}): the write function returned fewer rows than events.`,
          ),
        );
        continue;
      }
      const ids = new Array<number>(n);
      let bad: unknown = null;
      for (let j = 0; j < n; j++) {
        const id = inserted[position + j];
        if (typeof id === 'number') ids[j] = id;
        else bad = id;
      }
      position += n;
      if (bad === null) save.resolve(ids);
      else
        save.reject(
          new DataError(
            `The notification id ${String(bad)} is above Number.MAX_SAFE_INTEGER and cannot be ` +
              'represented exactly as a JavaScript number (the events were recorded).',
          ),
        );
    }
  }
}
