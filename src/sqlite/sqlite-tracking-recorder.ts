import { ProgrammingError } from '../persistence/errors.js';
import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  batchAlreadyOpen,
  clearNotOverridden,
  TrackingBatch,
} from '../persistence/tracking-batch.js';
import {
  checkApplicationName,
  checkTracking,
  checkTrackingQuery,
} from '../persistence/validation.js';
import { waitForTracking } from '../persistence/wait-for-tracking.js';
import type { SqliteDatabase } from './driver.js';
import { isBusy } from './is-busy.js';
import { lockTimeoutError } from './lock-timeout-error.js';
import { LockUnavailable } from './lock-unavailable.js';
import { openBatches } from './open-batches.js';
import type { SQLiteDatastore, SqliteConnection } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';
import { SQLiteRecorder } from './sqlite-recorder.js';
import { SQLiteTrackingTable } from './sqlite-tracking-table.js';

/**
 * A SQLite tracking recorder (Python's `SQLiteTrackingRecorder`): table `tracking`, one row per
 * upstream application (or one per notification with `SINGLE_ROW_TRACKING=f`). Recorded ids
 * must increase strictly per application. `wait()` polls, since the tracking may be written by
 * another process; closing the recorder interrupts pending waits.
 *
 * A view subclasses it: its tables come from `createTableStatements()`, its commands write
 * them with the tracking in `transaction(tracking, fn)`, and it overrides `clear(db)` to empty
 * them so that `resetTracking()` can rebuild it. The table `tracking` is one per database file
 * (Python's name), so two views that track the same application need files of their own.
 */
export class SQLiteTrackingRecorder extends SQLiteRecorder implements TrackingRecorder {
  /** The tracking table's statements. */
  protected readonly tracking: SQLiteTrackingTable;
  private readonly closing = new AbortController();
  private batch: OpenBatch | null = null;

  constructor(datastore: SQLiteDatastore | string) {
    super(datastore);
    this.tracking = new SQLiteTrackingTable(this.datastore.singleRowTracking);
  }

  /** Python's DDL for the tracking table. */
  createTableStatements(): string[] {
    return [];
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    checkTracking(tracking);
    if (this.batch !== null) return this.joinBatch(this.batch, tracking, noop);
    await this.writeTransaction(
      () => this.tracking.insert(tracking),
      () => `Cannot insert tracking into ${this.describeDatabase()}`,
    );
  }

  /**
   * The seam of views (subclasses of this recorder with tables of their own): runs `fn(db)`
   * synchronously inside one better-sqlite3 transaction on this recorder's connection, which
   * first checks the tracking (an `IntegrityError` when its notification id is not greater than
   * the one recorded for its application), then runs `fn`, records the tracking and commits; or,
   * when anything throws, changes nothing and rejects with that error. Resolves to what `fn`
   * returns. `fn` must be synchronous (better-sqlite3 is; a returned Promise is a `TypeError`
   * and changes nothing): no `await` inside a transaction. When another process holds the write
   * lock, the call waits for it (up to the lock timeout) without blocking the event loop.
   */
  protected transaction<T>(tracking: Tracking, fn: (db: SqliteDatabase) => T): Promise<T> {
    try {
      checkTracking(tracking);
      if (typeof fn !== 'function') {
        throw new TypeError(`transaction() needs a function (db) => result, not ${typeof fn}.`);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.batch !== null) return this.joinBatch(this.batch, tracking, fn);
    return this.writeTransaction(
      (db) => {
        this.tracking.insert(tracking);
        const result = fn(db);
        checkNotThenable(result);
        return result;
      },
      () =>
        `Cannot record tracking ${tracking.applicationName} ${tracking.notificationId} in ` +
        this.describeDatabase(),
    );
  }

  /**
   * Runs `fn` (a runner processing a batch of an upstream application's notifications with this
   * view's commands) in one write transaction on this recorder's connection, which records
   * `tracking` (the batch's position) and commits when `fn` resolves. better-sqlite3 cannot
   * keep `db.transaction()` open across an await, so the batch opens `BEGIN IMMEDIATE` itself
   * (waiting for another process's write lock without blocking the event loop, as every write
   * does). While `fn` runs, the view's `transaction(tracking, fn)` commands and `insertTracking`
   * join the batch: each is checked as if recorded (an `IntegrityError` when its id is not
   * greater than the recorded one or one earlier in the batch), and its function runs at once,
   * synchronously, with no tracking write or commit of its own. When `fn` or a command of the
   * batch fails (even if `fn` caught it), or the commit does, it rolls back and nothing of the
   * batch is recorded.
   *
   * The batch's tracking is recorded first (an `IntegrityError` when its id is not greater than
   * the recorded one, and then `fn` does not run); it must not be behind a command of the batch
   * (a `ProgrammingError`). While the batch is open, other writes on the same connection (other
   * recorders of the same datastore, such as an application in the same database) wait for it,
   * up to the lock timeout; reads on that connection see the batch's uncommitted rows. Keep
   * batches short, or give the view a database of its own.
   */
  async recordBatch<T>(tracking: Tracking, fn: () => Promise<T>): Promise<T> {
    checkTracking(tracking);
    if (typeof fn !== 'function') throw new TypeError('recordBatch() needs a function.');
    if (this.batch !== null) throw batchAlreadyOpen();
    const batch: OpenBatch = { tracking: null, connection: null };
    this.batch = batch;
    const context = () =>
      `Cannot record the batch up to tracking ${tracking.applicationName} ` +
      `${tracking.notificationId} in ${this.describeDatabase()}`;
    try {
      const c = await this.beginBatch(tracking, batch, context);
      try {
        const result = await fn();
        batch.tracking!.finish();
        await this.commitBatch(c, context);
        return result;
      } catch (error) {
        if (c.db.open && c.db.inTransaction) c.rollback.run();
        throw error;
      } finally {
        openBatches.delete(c.db);
        this.datastore.lockQueue.retrySoon();
      }
    } finally {
      this.batch = null;
    }
  }

  /**
   * Empties the view (its `clear(db)`) and forgets the tracking of `applicationName`, in one
   * write transaction, so that the view can be rebuilt from that application's first
   * notification. Other applications' tracking stays. The default `clear()` refuses with
   * `ProgrammingError`, and nothing changes.
   */
  async resetTracking(applicationName: string): Promise<void> {
    checkApplicationName(applicationName);
    if (this.batch !== null) throw batchAlreadyOpen();
    await this.writeTransaction(
      (db) => {
        checkNotThenable(this.clear(db));
        this.tracking.forget(applicationName);
      },
      () => `Cannot reset the tracking of '${applicationName}' in ${this.describeDatabase()}`,
    );
  }

  /**
   * Empties the view's own tables, for `resetTracking()`, synchronously in its transaction: a
   * view overrides it (`db.prepare('DELETE FROM …').run()`). The default throws
   * `ProgrammingError` saying so.
   */
  protected clear(_db: SqliteDatabase): void {
    throw clearNotOverridden(this);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    checkApplicationName(applicationName);
    if (this.conn === null) await this.ready();
    try {
      return this.tracking.max(applicationName);
    } catch (error) {
      throw toPersistenceError(error, `Cannot select tracking from ${this.describeDatabase()}`);
    }
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async hasTrackingId(applicationName: string, notificationId?: number | null): Promise<boolean> {
    checkTrackingQuery(applicationName, notificationId);
    if (notificationId === null || notificationId === undefined) return true;
    const max = await this.maxTrackingId(applicationName);
    return max !== null && max >= notificationId;
  }

  /**
   * Resolves once the notification has been processed (by this or another process); rejects
   * with `TimeoutError` after `timeout` milliseconds (default 1000), or `WaitInterruptedError`
   * when the signal aborts or the recorder is closed.
   */
  async wait(
    applicationName: string,
    notificationId?: number | null,
    options?: WaitOptions,
  ): Promise<void> {
    return waitForTracking(
      () => this.hasTrackingId(applicationName, notificationId),
      this.closing.signal,
      applicationName,
      notificationId ?? null,
      options,
    );
  }

  private joinBatch<T>(
    batch: OpenBatch,
    tracking: Tracking,
    fn: (db: SqliteDatabase) => T,
  ): Promise<T> {
    const open = batch.tracking;
    const c = batch.connection;
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
        open.setRecorded(applicationName, this.maxInBatch(applicationName));
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

  private maxInBatch(applicationName: string): number | null {
    try {
      return this.tracking.max(applicationName);
    } catch (error) {
      throw toPersistenceError(error, `Cannot select tracking from ${this.describeDatabase()}`);
    }
  }

  /** Opens the batch's transaction (waiting for the write lock) and records its tracking. */
  private beginBatch(
    tracking: Tracking,
    batch: OpenBatch,
    context: () => string,
  ): Promise<SqliteConnection> {
    const attempt = (): SqliteConnection => {
      const c = this.conn ?? this.connect();
      try {
        this.begin(c);
      } catch (error) {
        if (error instanceof LockUnavailable) throw error;
        throw toPersistenceError(error, context());
      }
      try {
        const recorded = this.tracking.max(tracking.applicationName);
        this.tracking.insert(tracking);
        batch.tracking = new TrackingBatch(tracking, recorded);
        batch.connection = c;
        openBatches.add(c.db);
        return c;
      } catch (error) {
        if (c.db.inTransaction) c.rollback.run();
        if (isBusy(error)) throw new LockUnavailable(error);
        throw toPersistenceError(error, context());
      }
    };
    let first: LockUnavailable | null = null;
    if (this.datastore.lockQueue.idle) {
      try {
        return Promise.resolve(attempt());
      } catch (error) {
        if (!(error instanceof LockUnavailable)) return Promise.reject(error);
        first = error;
      }
    }
    return this.waitForLock(attempt, first, context);
  }

  /**
   * Commits the batch; a commit that must wait for readers (`SQLITE_BUSY`, outside WAL mode) is
   * tried again, on timers, up to the lock timeout (the transaction stays open meanwhile).
   */
  private async commitBatch(c: SqliteConnection, context: () => string): Promise<void> {
    const started = performance.now();
    let delay = 1;
    for (;;) {
      try {
        c.commit.run();
        return;
      } catch (error) {
        if (!isBusy(error)) throw toPersistenceError(error, context());
        const lockTimeout = this.datastore.lockTimeout;
        if (performance.now() - started >= lockTimeout) {
          throw lockTimeoutError(new LockUnavailable(error), context(), lockTimeout);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  }

  protected override afterCreateTables(db: SqliteDatabase): void {
    this.tracking.createTable(db);
  }

  protected prepare(db: SqliteDatabase): void {
    this.tracking.prepare(db);
  }

  protected override onClose(): void {
    this.closing.abort(new Error('the tracking recorder was closed'));
  }
}

/** A batch of `recordBatch` (its connection and bookkeeping once its transaction has begun). */
interface OpenBatch {
  tracking: TrackingBatch | null;
  connection: SqliteConnection | null;
}

/** @throws TypeError when a function that must be synchronous returned a Promise. */
function checkNotThenable(result: unknown): void {
  if (isThenable(result)) {
    // Its rejection is not this call's to report: the TypeError says what went wrong.
    Promise.resolve(result).catch(() => {});
    throw new TypeError(
      'The function given to transaction() (or clear()) returned a Promise: it must do its ' +
        'work synchronously (better-sqlite3 is synchronous, and a transaction must not span an ' +
        'await). Nothing was changed.',
    );
  }
}

function noop(): void {}

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
