import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { batchAlreadyOpen, clearNotOverridden } from '../persistence/tracking-batch.js';
import {
  checkApplicationName,
  checkTracking,
  checkTrackingQuery,
} from '../persistence/validation.js';
import { waitForTracking } from '../persistence/wait-for-tracking.js';
import { checkNotThenable } from './check-not-thenable.js';
import type { SqliteDatabase } from './driver.js';
import { type BatchRecorder, OpenBatch } from './open-batches.js';
import type { SQLiteDatastore } from './sqlite-datastore.js';
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
    if (this.batch !== null) return this.batch.join(tracking, noop);
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
    if (this.batch !== null) return this.batch.join(tracking, fn);
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
   * up to the lock timeout; reads of the view's own tables on that connection see the batch's
   * uncommitted rows (its tracking does not: see `maxTrackingId`). Keep
   * batches short, or give the view a database of its own.
   */
  async recordBatch<T>(tracking: Tracking, fn: () => Promise<T>): Promise<T> {
    checkTracking(tracking);
    if (typeof fn !== 'function') throw new TypeError('recordBatch() needs a function.');
    if (this.batch !== null) throw batchAlreadyOpen();
    const batch = new OpenBatch(this.batchRecorder());
    this.batch = batch;
    try {
      return await batch.run(tracking, fn);
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

  /**
   * The greatest notification id recorded (committed) for the application, or `null`. While a
   * batch of this recorder is open, its application's tracking is the one before the batch:
   * the connection would read the batch's own, not yet committed.
   */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    checkApplicationName(applicationName);
    if (this.conn === null) await this.ready();
    const committed = this.batch?.committedTracking(applicationName);
    if (committed !== undefined) return committed;
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
   * when the signal aborts or the recorder is closed. It never resolves for a batch of this
   * recorder that has not committed (see `maxTrackingId`).
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

  protected override afterCreateTables(db: SqliteDatabase): void {
    this.tracking.createTable(db);
  }

  protected prepare(db: SqliteDatabase): void {
    this.tracking.prepare(db);
  }

  protected override onClose(): void {
    this.closing.abort(new Error('the tracking recorder was closed'));
  }

  /** What a batch of this recorder uses (see `OpenBatch`). */
  private batchRecorder(): BatchRecorder {
    return {
      datastore: this.datastore,
      table: this.tracking,
      connection: () => this.conn ?? this.connect(),
      begin: (c) => this.begin(c),
      waitForLock: (attempt, first, context) => this.waitForLock(attempt, first, context),
      describeDatabase: () => this.describeDatabase(),
    };
  }
}

function noop(): void {}
