import type {
  InsertEventsOptions,
  ProcessRecorder,
  WaitOptions,
} from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { waitForTracking } from '../persistence/wait-for-tracking.js';
import {
  PostgresApplicationRecorder,
  type PostgresApplicationRecorderOptions,
} from './postgres-application-recorder.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { PostgresTrackingTable } from './postgres-tracking-table.js';

/**
 * A PostgreSQL process recorder (Python's `PostgresProcessRecorder`): an application recorder
 * whose write function also records tracking, in the same transaction, so that each upstream
 * notification is processed exactly once. `insertEvents(events, { tracking })` with a tracking
 * id not greater than the recorded one rejects with `IntegrityError` and stores none of the
 * events; an empty list with tracking records the tracking alone.
 */
export class PostgresProcessRecorder
  extends PostgresApplicationRecorder
  implements ProcessRecorder
{
  private readonly closing = new AbortController();

  /** @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes. */
  constructor(
    datastore: PostgresDatastore,
    tableName = 'stored_events',
    trackingTableName = 'notification_tracking',
    options: Omit<PostgresApplicationRecorderOptions, 'trackingTable'> = {},
  ) {
    super(datastore, tableName, {
      ...options,
      trackingTable: new PostgresTrackingTable(datastore, trackingTableName),
    });
  }

  /** The tracking table's name (unqualified). */
  get trackingTableName(): string {
    return this.tracking.tableName;
  }

  private get tracking(): PostgresTrackingTable {
    return this.trackingTable!;
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    PostgresTrackingTable.check(tracking);
    if (!this.isReady) await this.ready();
    await this.tracking.insert(tracking);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    if (!this.isReady) await this.ready();
    return this.tracking.max(applicationName);
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async hasTrackingId(applicationName: string, notificationId?: number | null): Promise<boolean> {
    if (!this.isReady) await this.ready();
    return this.tracking.has(applicationName, notificationId);
  }

  /**
   * Resolves once the notification has been processed (polling); rejects with `TimeoutError`
   * after `timeout` ms (default 1000), or `WaitInterruptedError` when the signal aborts or the
   * recorder is closed.
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

  /** Stops subscriptions, interrupts waits and finishes queued writes. Safe to repeat. */
  override async close(): Promise<void> {
    this.closing.abort();
    await super.close();
  }

  protected override trackingOf(options: InsertEventsOptions | undefined): Tracking | null {
    const tracking = options?.tracking;
    if (tracking === null || tracking === undefined) return null;
    PostgresTrackingTable.check(tracking);
    return tracking;
  }
}
