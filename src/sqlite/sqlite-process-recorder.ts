import type {
  InsertEventsOptions,
  ProcessRecorder,
  WaitOptions,
} from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { checkTracking } from '../persistence/validation.js';
import type { SqliteDatabase } from './driver.js';
import { SQLiteApplicationRecorder } from './sqlite-application-recorder.js';
import type { SQLiteDatastore } from './sqlite-datastore.js';
import { SQLiteTrackingRecorder } from './sqlite-tracking-recorder.js';
import { SQLiteTrackingTable } from './sqlite-tracking-table.js';

/**
 * A SQLite process recorder (Python's `SQLiteProcessRecorder`): an application recorder on
 * `stored_events` that also records tracking in `tracking`, in the same transaction as the
 * events. `insertEvents(events, { tracking })` stores both or neither; an empty list with
 * tracking records the tracking alone.
 */
export class SQLiteProcessRecorder extends SQLiteApplicationRecorder implements ProcessRecorder {
  /** The tracking table's statements, for tracking written with events. */
  protected readonly tracking: SQLiteTrackingTable;
  /** Serves the tracking methods, on the same datastore (and so the same connection). */
  private readonly trackingRecorder: SQLiteTrackingRecorder;

  constructor(datastore: SQLiteDatastore | string, eventsTableName = 'stored_events') {
    super(datastore, eventsTableName);
    this.tracking = new SQLiteTrackingTable(this.datastore.singleRowTracking);
    this.trackingRecorder = new SQLiteTrackingRecorder(this.datastore);
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  insertTracking(tracking: Tracking): Promise<void> {
    return this.trackingRecorder.insertTracking(tracking);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  maxTrackingId(applicationName: string): Promise<number | null> {
    return this.trackingRecorder.maxTrackingId(applicationName);
  }

  /** Whether the application's notification has been processed (`true` for null). */
  hasTrackingId(applicationName: string, notificationId?: number | null): Promise<boolean> {
    return this.trackingRecorder.hasTrackingId(applicationName, notificationId);
  }

  /**
   * Resolves once the notification has been processed (by this or another process); rejects
   * with `TimeoutError` after `timeout` milliseconds (default 1000), or `WaitInterruptedError`
   * when the signal aborts or the recorder is closed.
   */
  wait(
    applicationName: string,
    notificationId?: number | null,
    options?: WaitOptions,
  ): Promise<void> {
    return this.trackingRecorder.wait(applicationName, notificationId, options);
  }

  protected override checkOptions(options: InsertEventsOptions | undefined): void {
    const tracking = options?.tracking;
    if (tracking !== null && tracking !== undefined) checkTracking(tracking);
  }

  /** Records the tracking given with the events, in the same transaction. */
  protected override recordTracking(tracking: Tracking): void {
    this.tracking.insert(tracking);
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
    // Interrupts pending waits; the datastore is this recorder's, not the tracking recorder's.
    void this.trackingRecorder.close();
  }
}
