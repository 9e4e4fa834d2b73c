import { pollForTracking } from '../persistence/poll-for-tracking.js';
import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { PostgresRecorder } from './postgres-recorder.js';
import { TrackingTable } from './tracking-table.js';

/**
 * A PostgreSQL tracking recorder (Python's `PostgresTrackingRecorder`), for projections: the
 * greatest processed notification id of each upstream application, in Python 9.5's tracking
 * table (`{name}_tracking`, or `notification_tracking` when unnamed). `wait` polls.
 */
export class PostgresTrackingRecorder extends PostgresRecorder implements TrackingRecorder {
  /** The tracking table and its statements. */
  protected readonly tracking: TrackingTable;
  private readonly closing = new AbortController();

  /** @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes. */
  constructor(datastore: PostgresDatastore, tableName = 'notification_tracking') {
    super(datastore);
    this.tracking = new TrackingTable(datastore, tableName);
  }

  /** The table's name (unqualified). */
  get tableName(): string {
    return this.tracking.tableName;
  }

  /** Python 9.5's tracking table. */
  createTableStatements(): string[] {
    return [this.tracking.createTableSql()];
  }

  protected requiredTables(): ReadonlyArray<readonly [string, string]> {
    return [[this.tracking.table, this.tracking.tableName]];
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    TrackingTable.check(tracking);
    if (!this.isReady) await this.ready();
    await this.tracking.insert(tracking);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    if (!this.isReady) await this.ready();
    return this.tracking.max(applicationName);
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async hasTrackingId(
    applicationName: string,
    notificationId: number | null | undefined,
  ): Promise<boolean> {
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
    notificationId: number | null | undefined,
    options?: WaitOptions,
  ): Promise<void> {
    return waitForTracking(this, this.closing.signal, applicationName, notificationId, options);
  }

  /** Interrupts pending waits. Safe to repeat. */
  async close(): Promise<void> {
    this.closing.abort();
  }
}

/** `wait` for the PostgreSQL recorders: polls `hasTrackingId`, interrupted by close too. */
export async function waitForTracking(
  recorder: Pick<TrackingRecorder, 'hasTrackingId'>,
  closing: AbortSignal,
  applicationName: string,
  notificationId: number | null | undefined,
  options: WaitOptions | undefined,
): Promise<void> {
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('signal must be an AbortSignal.');
  }
  // Nothing to wait for: an aborted signal does not matter.
  if (await recorder.hasTrackingId(applicationName, notificationId)) return;
  const combined = signal === undefined ? closing : AbortSignal.any([signal, closing]);
  return pollForTracking(
    () => recorder.hasTrackingId(applicationName, notificationId),
    applicationName,
    notificationId,
    { timeout: options?.timeout, signal: combined },
  );
}
