import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  checkApplicationName,
  checkTracking,
  checkTrackingQuery,
} from '../persistence/validation.js';
import { waitForTracking } from '../persistence/wait-for-tracking.js';
import type { SqliteDatabase } from './driver.js';
import type { SQLiteDatastore } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';
import { SQLiteRecorder } from './sqlite-recorder.js';
import { SQLiteTrackingTable } from './sqlite-tracking-table.js';

/**
 * A SQLite tracking recorder (Python's `SQLiteTrackingRecorder`): table `tracking`, one row per
 * upstream application (or one per notification with `SINGLE_ROW_TRACKING=f`). Recorded ids
 * must increase strictly per application. `wait()` polls, since the tracking may be written by
 * another process; closing the recorder interrupts pending waits.
 */
export class SQLiteTrackingRecorder extends SQLiteRecorder implements TrackingRecorder {
  /** The tracking table's statements. */
  protected readonly tracking: SQLiteTrackingTable;
  private readonly closing = new AbortController();

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
    return this.writeTransaction(
      (db) => {
        this.tracking.insert(tracking);
        const result = fn(db);
        if (isThenable(result)) {
          // Its rejection is not this call's to report: the TypeError says what went wrong.
          Promise.resolve(result).catch(() => {});
          throw new TypeError(
            'The function given to transaction() returned a Promise: it must do its work ' +
              'synchronously (better-sqlite3 is synchronous, and a transaction must not span an ' +
              'await). Nothing was changed.',
          );
        }
        return result;
      },
      () =>
        `Cannot record tracking ${tracking.applicationName} ${tracking.notificationId} in ` +
        this.describeDatabase(),
    );
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

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
