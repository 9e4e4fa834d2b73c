import type {
  InsertEventsOptions,
  ProcessRecorder,
  WaitOptions,
} from '../persistence/recorders.js';
import type { StoredEvent, Tracking } from '../persistence/stored-event.js';
import { MemoryApplicationRecorder } from './memory-application-recorder.js';
import { MemoryTrackingTable } from './memory-tracking-table.js';

/**
 * An in-memory process recorder (Python's `POPOProcessRecorder`): an application recorder that
 * also records tracking, atomically with new events. `insertEvents(events, { tracking })`
 * checks the events and the tracking first and then writes both, so a duplicate event stores
 * no tracking and a duplicate tracking stores no events; an empty list with tracking records
 * the tracking alone.
 *
 * See `MemoryApplicationRecorder` and `MemoryTrackingRecorder` for input checks. Pass a
 * `MemoryTrackingTable` to share the records with a `MemoryTrackingRecorder`.
 */
export class MemoryProcessRecorder extends MemoryApplicationRecorder implements ProcessRecorder {
  /** The tracking records and pending waits. */
  protected readonly tracking: MemoryTrackingTable;

  constructor(table: MemoryTrackingTable = new MemoryTrackingTable()) {
    super();
    this.tracking = table;
  }

  /**
   * Stores the events and the tracking (if given) atomically, and resolves to the events'
   * notification ids. A duplicate event or a tracking id not greater than the recorded one
   * rejects with `IntegrityError` and stores nothing.
   */
  override async insertEvents(
    storedEvents: readonly StoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<number[]> {
    const batch = this.prepare(storedEvents);
    const tracking = options?.tracking;
    this.index.checkUnique(batch);
    if (tracking !== null && tracking !== undefined) this.tracking.check(tracking);
    const ids = this.commit(batch);
    if (tracking !== null && tracking !== undefined) this.tracking.record(tracking);
    return ids;
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    this.tracking.check(tracking);
    this.tracking.record(tracking);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    return this.tracking.maxTrackingId(applicationName);
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async hasTrackingId(applicationName: string, notificationId?: number | null): Promise<boolean> {
    return this.tracking.hasTrackingId(applicationName, notificationId);
  }

  /**
   * Resolves as soon as the notification has been processed; rejects with `TimeoutError` after
   * `timeout` milliseconds (default 1000), or `WaitInterruptedError` when the signal aborts.
   */
  async wait(
    applicationName: string,
    notificationId?: number | null,
    options?: WaitOptions,
  ): Promise<void> {
    return this.tracking.wait(applicationName, notificationId, options);
  }

  /** Stops subscriptions and interrupts pending waits; the records stay. Safe to repeat. */
  override async close(): Promise<void> {
    await super.close();
    this.tracking.interruptAll('the process recorder was closed');
  }
}
