import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { MemoryTrackingTable } from './memory-tracking-table.js';

/**
 * An in-memory tracking recorder (Python's `POPOTrackingRecorder`): the greatest processed
 * notification id of each upstream application. Recorded ids must increase strictly per
 * application. `wait()` is settled by inserts, with no polling.
 *
 * A tracking whose `applicationName` is not a string or `notificationId` not a safe integer
 * rejects with `DataError`; other bad arguments reject with `TypeError`. Pass a `MemoryTrackingTable`
 * to share the records with a `MemoryProcessRecorder` (as `MemoryFactory` does).
 */
export class MemoryTrackingRecorder implements TrackingRecorder {
  /** The tracking records and pending waits. */
  protected readonly tracking: MemoryTrackingTable;

  constructor(table: MemoryTrackingTable = new MemoryTrackingTable()) {
    this.tracking = table;
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    this.tracking.check(tracking);
    this.tracking.record(tracking);
  }

  /**
   * Runs a view's change and records its tracking together: checks the tracking (an
   * `IntegrityError` when its id is not greater than the one recorded for that application,
   * and then `fn` does not run), runs `fn` synchronously, then records the tracking. If `fn`
   * throws, the tracking is not recorded; memory has no rollback, so `fn` should check before
   * it changes anything. A view's commands use it:
   * `return this.transaction(tracking, () => { this.counts.set(key, n + 1); })`.
   */
  protected async transaction<T>(tracking: Tracking, fn: () => T): Promise<T> {
    this.tracking.check(tracking);
    const result = fn();
    this.tracking.record(tracking);
    return result;
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

  /** Interrupts pending waits (`WaitInterruptedError`); the records stay. Safe to repeat. */
  async close(): Promise<void> {
    this.tracking.interruptAll('the tracking recorder was closed');
  }
}
