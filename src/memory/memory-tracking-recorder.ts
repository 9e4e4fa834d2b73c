import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  batchAlreadyOpen,
  batchBehindWrite,
  clearNotOverridden,
  TrackingBatch,
} from '../persistence/tracking-batch.js';
import { checkApplicationName, checkTracking } from '../persistence/validation.js';
import { MemoryTrackingTable } from './memory-tracking-table.js';

/**
 * An in-memory tracking recorder (Python's `POPOTrackingRecorder`): the greatest processed
 * notification id of each upstream application. Recorded ids must increase strictly per
 * application. `wait()` is settled by inserts, with no polling.
 *
 * A tracking whose `applicationName` is not a string or `notificationId` not a safe integer
 * rejects with `DataError`; other bad arguments reject with `TypeError`. Pass a `MemoryTrackingTable`
 * to share the records with a `MemoryProcessRecorder` (as `MemoryFactory` does).
 *
 * A view subclasses it: its commands change its maps in `transaction(tracking, fn)`, and it
 * overrides `clear()` to empty them so that `resetTracking()` can rebuild it.
 */
export class MemoryTrackingRecorder implements TrackingRecorder {
  /** The tracking records and pending waits. */
  protected readonly tracking: MemoryTrackingTable;

  private batch: TrackingBatch | null = null;

  constructor(table: MemoryTrackingTable = new MemoryTrackingTable()) {
    this.tracking = table;
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    if (this.batch !== null) return this.joinBatch(this.batch, tracking, noop);
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
    if (this.batch !== null) return this.joinBatch(this.batch, tracking, fn);
    this.tracking.check(tracking);
    const result = fn();
    this.tracking.record(tracking);
    return result;
  }

  /**
   * Runs `fn` (a runner processing a batch of notifications with this view's commands) and then
   * records `tracking`, the batch's position, unless its writes already recorded it. Memory has
   * no rollback: each write of the batch records its own tracking as it goes, so a batch that
   * fails half-way stays recorded up to its last write that succeeded. Once a write of the batch
   * has failed, later ones reject with `ProgrammingError` and the batch rejects with the first
   * failure (even if `fn` caught it), recording nothing more. A `tracking` not greater than the
   * recorded one is an `IntegrityError` (and `fn` does not run).
   */
  async recordBatch<T>(tracking: Tracking, fn: () => Promise<T>): Promise<T> {
    checkTracking(tracking);
    if (typeof fn !== 'function') throw new TypeError('recordBatch() needs a function.');
    if (this.batch !== null) throw batchAlreadyOpen();
    this.tracking.check(tracking);
    const batch = new TrackingBatch(tracking, null);
    this.batch = batch;
    let result: T;
    try {
      result = await fn();
      batch.rethrowFailure();
    } catch (error) {
      batch.fail(error);
      throw error;
    } finally {
      this.batch = null;
    }
    const recorded = this.tracking.maxTrackingId(tracking.applicationName);
    if (recorded === null || recorded < tracking.notificationId) this.tracking.record(tracking);
    else if (recorded > tracking.notificationId) throw batchBehindWrite(tracking, recorded);
    return result;
  }

  /**
   * Empties the view (its `clear()`) and forgets the tracking of `applicationName`, so that the
   * view can be rebuilt from that application's first notification. Other applications'
   * tracking stays. The default `clear()` refuses with `ProgrammingError`, and nothing changes.
   */
  async resetTracking(applicationName: string): Promise<void> {
    checkApplicationName(applicationName);
    if (this.batch !== null) throw batchAlreadyOpen();
    this.clear();
    this.tracking.forget(applicationName);
  }

  /**
   * Empties the view's own records, for `resetTracking()`: a view overrides it. The default
   * throws `ProgrammingError` saying so.
   */
  protected clear(): void {
    throw clearNotOverridden(this);
  }

  private async joinBatch<T>(batch: TrackingBatch, tracking: Tracking, fn: () => T): Promise<T> {
    batch.checkNotFailed();
    try {
      this.tracking.check(tracking);
      const result = fn();
      this.tracking.record(tracking);
      return result;
    } catch (error) {
      batch.fail(error);
      throw error;
    }
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

function noop(): void {}
