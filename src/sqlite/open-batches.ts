import { ProgrammingError } from '../persistence/errors.js';
import type { Tracking } from '../persistence/stored-event.js';
import { TrackingBatch } from '../persistence/tracking-batch.js';
import { checkNotThenable } from './check-not-thenable.js';
import type { SqliteDatabase } from './driver.js';
import { isBusy } from './is-busy.js';
import { lockTimeoutError } from './lock-timeout-error.js';
import { LockUnavailable } from './lock-unavailable.js';
import type { SQLiteDatastore, SqliteConnection } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';
import type { SQLiteTrackingTable } from './sqlite-tracking-table.js';

/**
 * The connections on which a view's batch (`SQLiteTrackingRecorder.recordBatch`) holds a write
 * transaction open across awaits: other writes on them wait until it ends.
 *
 * @internal
 */
export const openBatches = new WeakSet<SqliteDatabase>();

/**
 * What an `OpenBatch` needs of its recorder (a `SQLiteTrackingRecorder`).
 *
 * @internal
 */
export interface BatchRecorder {
  /** The database. */
  readonly datastore: SQLiteDatastore;
  /** The tracking table's statements. */
  readonly table: SQLiteTrackingTable;
  /** The recorder's connection, connecting if need be. */
  connection(): SqliteConnection;
  /** Begins a write transaction (see `SQLiteRecorder.begin`). */
  begin(c: SqliteConnection): void;
  /** Attempts again later (see `SQLiteRecorder.waitForLock`). */
  waitForLock<T>(
    attempt: () => T,
    first: LockUnavailable | null,
    context: () => string,
  ): Promise<T>;
  /** A description of the database for error messages. */
  describeDatabase(): string;
}

/**
 * One batch of `SQLiteTrackingRecorder.recordBatch` (see there): better-sqlite3 cannot keep
 * `db.transaction()` open across an await, so the batch opens `BEGIN IMMEDIATE` itself
 * (waiting for the write lock through the datastore's lock queue), records its tracking, runs
 * its function while the view's writes join it (`join`), then commits (retried while busy), or
 * rolls back.
 *
 * @internal
 */
export class OpenBatch {
  private tracking: TrackingBatch | null = null;
  private connection: SqliteConnection | null = null;
  /** The batch's application and its tracking as committed before the batch began. */
  private before: { readonly applicationName: string; readonly recorded: number | null } | null =
    null;

  constructor(private readonly recorder: BatchRecorder) {}

  /**
   * The committed tracking of `applicationName` while the batch is open, when the batch tracks
   * that application: its connection reads the batch's own tracking, written first, before the
   * batch commits. Undefined for another application, or before the batch began.
   */
  committedTracking(applicationName: string): number | null | undefined {
    const before = this.before;
    return before !== null && before.applicationName === applicationName
      ? before.recorded
      : undefined;
  }

  /** Records `tracking`, runs `fn` and commits; or rolls back, and nothing is recorded. */
  async run<T>(tracking: Tracking, fn: () => Promise<T>): Promise<T> {
    const context = () =>
      `Cannot record the batch up to tracking ${tracking.applicationName} ` +
      `${tracking.notificationId} in ${this.recorder.describeDatabase()}`;
    const c = await this.begin(tracking, context);
    try {
      const result = await fn();
      this.tracking!.finish();
      await this.commit(c, context);
      return result;
    } catch (error) {
      if (c.db.open && c.db.inTransaction) c.rollback.run();
      throw error;
    } finally {
      openBatches.delete(c.db);
      this.recorder.datastore.lockQueue.retrySoon();
    }
  }

  /**
   * A view write of the batch (`transaction(tracking, fn)` or `insertTracking`): checks its
   * tracking as if recorded, then runs `fn` at once, synchronously, with no tracking write or
   * commit of its own. A failure fails the batch.
   */
  join<T>(tracking: Tracking, fn: (db: SqliteDatabase) => T): Promise<T> {
    const open = this.tracking;
    const c = this.connection;
    if (open === null || c === null) {
      return Promise.reject(
        new ProgrammingError(
          "A view command was called while this view's batch was still beginning: call the " +
            "view's commands from the function given to recordBatch().",
        ),
      );
    }
    try {
      open.checkNotFailed();
    } catch (error) {
      return Promise.reject(error);
    }
    try {
      const { applicationName } = tracking;
      if (open.lastOf(applicationName) === undefined) {
        open.setRecorded(applicationName, this.maxRecorded(applicationName));
      }
      open.join(tracking);
      const result = fn(c.db);
      checkNotThenable(result);
      return Promise.resolve(result);
    } catch (error) {
      open.fail(error);
      return Promise.reject(error);
    }
  }

  private maxRecorded(applicationName: string): number | null {
    try {
      return this.recorder.table.max(applicationName);
    } catch (error) {
      throw toPersistenceError(
        error,
        `Cannot select tracking from ${this.recorder.describeDatabase()}`,
      );
    }
  }

  /** Opens the batch's transaction (waiting for the write lock) and records its tracking. */
  private begin(tracking: Tracking, context: () => string): Promise<SqliteConnection> {
    const recorder = this.recorder;
    const attempt = (): SqliteConnection => {
      const c = recorder.connection();
      try {
        recorder.begin(c);
      } catch (error) {
        if (error instanceof LockUnavailable) throw error;
        throw toPersistenceError(error, context());
      }
      try {
        const recorded = recorder.table.max(tracking.applicationName);
        recorder.table.insert(tracking);
        this.before = { applicationName: tracking.applicationName, recorded };
        this.tracking = new TrackingBatch(tracking, recorded);
        this.connection = c;
        openBatches.add(c.db);
        return c;
      } catch (error) {
        if (c.db.inTransaction) c.rollback.run();
        if (isBusy(error)) throw new LockUnavailable(error);
        throw toPersistenceError(error, context());
      }
    };
    let first: LockUnavailable | null = null;
    if (recorder.datastore.lockQueue.idle) {
      try {
        return Promise.resolve(attempt());
      } catch (error) {
        if (!(error instanceof LockUnavailable)) return Promise.reject(error);
        first = error;
      }
    }
    return recorder.waitForLock(attempt, first, context);
  }

  /**
   * Commits the batch; a commit that must wait for readers (`SQLITE_BUSY`, outside WAL mode) is
   * tried again, on timers, up to the lock timeout (the transaction stays open meanwhile).
   */
  private async commit(c: SqliteConnection, context: () => string): Promise<void> {
    const started = performance.now();
    let delay = 1;
    for (;;) {
      try {
        c.commit.run();
        return;
      } catch (error) {
        if (!isBusy(error)) throw toPersistenceError(error, context());
        const lockTimeout = this.recorder.datastore.lockTimeout;
        if (performance.now() - started >= lockTimeout) {
          throw lockTimeoutError(new LockUnavailable(error), context(), lockTimeout);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
}
