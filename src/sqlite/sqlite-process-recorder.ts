import type {
  InsertEventsOptions,
  ProcessRecorder,
  WaitOptions,
} from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { checkOptionalInteger, checkString, checkTracking } from '../persistence/validation.js';
import type { SqliteDatabase } from './driver.js';
import { SQLiteApplicationRecorder } from './sqlite-application-recorder.js';
import type { SQLiteDatastore, SqliteConnection } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';
import { SQLiteTrackingTable } from './sqlite-tracking-table.js';
import { waitForTracking } from './wait-for-tracking.js';

/**
 * A SQLite process recorder (Python's `SQLiteProcessRecorder`): an application recorder on
 * `stored_events` that also records tracking in `tracking`, in the same transaction as the
 * events. `insertEvents(events, { tracking })` stores both or neither; an empty list with
 * tracking records the tracking alone.
 */
export class SQLiteProcessRecorder extends SQLiteApplicationRecorder implements ProcessRecorder {
  /** The tracking table's statements. */
  protected readonly tracking: SQLiteTrackingTable;
  private readonly closing = new AbortController();

  constructor(datastore: SQLiteDatastore | string, eventsTableName = 'stored_events') {
    super(datastore, eventsTableName);
    this.tracking = new SQLiteTrackingTable(this.datastore.singleRowTracking);
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    checkTracking(tracking);
    const c = this.conn ?? this.connect();
    try {
      c.begin.run();
      this.tracking.insert(tracking);
      c.commit.run();
    } catch (error) {
      if (c.db.inTransaction) c.rollback.run();
      throw toPersistenceError(error, `Cannot insert tracking into ${this.describeDatabase()}`);
    }
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    checkString('applicationName', applicationName);
    if (this.conn === null) this.connect();
    try {
      return this.tracking.max(applicationName);
    } catch (error) {
      throw toPersistenceError(error, `Cannot select tracking from ${this.describeDatabase()}`);
    }
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async hasTrackingId(
    applicationName: string,
    notificationId: number | null | undefined,
  ): Promise<boolean> {
    checkString('applicationName', applicationName);
    checkOptionalInteger('notificationId', notificationId);
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
    notificationId: number | null | undefined,
    options?: WaitOptions,
  ): Promise<void> {
    return waitForTracking(
      () => this.hasTrackingId(applicationName, notificationId),
      this.closing.signal,
      applicationName,
      notificationId,
      options,
    );
  }

  protected override checkOptions(options: InsertEventsOptions | undefined): void {
    const tracking = options?.tracking;
    if (tracking !== null && tracking !== undefined) checkTracking(tracking);
  }

  protected override writeExtra(
    _connection: SqliteConnection,
    options: InsertEventsOptions | undefined,
  ): void {
    const tracking = options?.tracking;
    if (tracking !== null && tracking !== undefined) this.tracking.insert(tracking);
  }

  protected override afterCreateTables(db: SqliteDatabase): void {
    this.tracking.createTable(db);
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.tracking.prepare(db);
  }

  protected override onClose(): void {
    super.onClose();
    this.closing.abort(new Error('the process recorder was closed'));
  }
}
