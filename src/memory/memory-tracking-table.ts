import { IntegrityError, TimeoutError, WaitInterruptedError } from '../persistence/errors.js';
import { DEFAULT_WAIT_TIMEOUT } from '../persistence/poll-for-tracking.js';
import type { WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  checkApplicationName,
  checkTracking,
  checkTrackingQuery,
} from '../persistence/validation.js';
import { describeValue } from '../utils/describe-value.js';

const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** A pending `wait()`: settled by a tracking insert, its timer, its signal, or `close()`. */
class Waiter {
  readonly applicationName: string;
  readonly notificationId: number;
  private readonly table: MemoryTrackingTable;
  private readonly resolveWait: () => void;
  private readonly rejectWait: (error: Error) => void;
  private readonly signal: AbortSignal | undefined;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    table: MemoryTrackingTable,
    applicationName: string,
    notificationId: number,
    resolve: () => void,
    reject: (error: Error) => void,
    timeout: number,
    signal: AbortSignal | undefined,
  ) {
    this.table = table;
    this.applicationName = applicationName;
    this.notificationId = notificationId;
    this.resolveWait = resolve;
    this.rejectWait = reject;
    this.signal = signal;
    // Longer than setTimeout's limit (about 24.8 days) counts as for ever.
    if (timeout <= MAX_TIMER_DELAY) this.timer = setTimeout(this.onTimeout, timeout);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  resolve(): void {
    this.cleanUp();
    this.resolveWait();
  }

  reject(error: Error): void {
    this.cleanUp();
    this.rejectWait(error);
  }

  private cleanUp(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.signal?.removeEventListener('abort', this.onAbort);
    this.table.removeWaiter(this);
  }

  private readonly onTimeout = (): void => {
    this.timer = null;
    this.reject(
      new TimeoutError(
        `Timed out waiting for notification ${this.notificationId} from application ` +
          `'${this.applicationName}' to be processed. Check that its processor is running, or ` +
          'wait longer.',
      ),
    );
  };

  private readonly onAbort = (): void => {
    this.reject(interrupted(this.applicationName, this.notificationId, this.signal));
  };
}

/**
 * The in-memory tracking records of one factory: the greatest processed notification id per
 * upstream application, and the pending `wait()` calls, which are settled as soon as a tracking
 * insert reaches them (no polling). Shared by `MemoryTrackingRecorder` and
 * `MemoryProcessRecorder`.
 */
export class MemoryTrackingTable {
  private readonly maxIds = new Map<string, number>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  /**
   * Throws `IntegrityError` if the tracking id is not greater than the application's recorded
   * one, and `DataError` if the tracking is malformed. Changes nothing.
   */
  check(tracking: Tracking): void {
    checkTracking(tracking);
    const max = this.maxIds.get(tracking.applicationName);
    if (max !== undefined && tracking.notificationId <= max) {
      throw new IntegrityError(
        `Tracking notification ID ${tracking.notificationId} not greater than current max ` +
          `tracking ID ${max} for application '${tracking.applicationName}': that notification ` +
          'has already been processed (perhaps by a concurrent processor). Skip it, or resume ' +
          'from the recorded position.',
      );
    }
  }

  /** Records a tracking that `check` accepted, and settles the waits it satisfies. */
  record(tracking: Tracking): void {
    const { applicationName, notificationId } = tracking;
    this.maxIds.set(applicationName, notificationId);
    const waiters = this.waiters.get(applicationName);
    if (waiters === undefined) return;
    for (const waiter of [...waiters]) {
      if (waiter.notificationId <= notificationId) waiter.resolve();
    }
  }

  /** Forgets the application's tracking (a view being rebuilt); pending waits stay. */
  forget(applicationName: string): void {
    checkApplicationName(applicationName);
    this.maxIds.delete(applicationName);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  maxTrackingId(applicationName: string): number | null {
    checkApplicationName(applicationName);
    return this.maxIds.get(applicationName) ?? null;
  }

  /** Whether the application's notification has been processed (`true` for null). */
  hasTrackingId(applicationName: string, notificationId?: number | null): boolean {
    checkTrackingQuery(applicationName, notificationId);
    if (notificationId === null || notificationId === undefined) return true;
    const max = this.maxIds.get(applicationName);
    return max !== undefined && max >= notificationId;
  }

  /**
   * Resolves once the notification has been processed. Rejects with `TimeoutError` after
   * `timeout` milliseconds (default 1000; `Infinity` waits for ever), with
   * `WaitInterruptedError` when the signal aborts (at once if it already has), and with
   * `TypeError` for bad arguments. Leaves no timer or listener behind.
   */
  wait(
    applicationName: string,
    notificationId?: number | null,
    options?: WaitOptions,
  ): Promise<void> {
    const timeout = options?.timeout ?? DEFAULT_WAIT_TIMEOUT;
    const signal = options?.signal;
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
      throw new TypeError(
        `timeout must be a non-negative number of milliseconds, not ${describeValue(timeout)}.`,
      );
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`signal must be an AbortSignal, not ${describeValue(signal)}.`);
    }
    if (this.hasTrackingId(applicationName, notificationId)) return Promise.resolve();
    const id = notificationId as number;
    if (signal?.aborted) return Promise.reject(interrupted(applicationName, id, signal));
    return new Promise<void>((resolve, reject) => {
      const waiter = new Waiter(this, applicationName, id, resolve, reject, timeout, signal);
      let waiters = this.waiters.get(applicationName);
      if (waiters === undefined) {
        waiters = new Set();
        this.waiters.set(applicationName, waiters);
      }
      waiters.add(waiter);
    });
  }

  /** How many waits are pending (lets tests check that none is left behind). */
  get pendingWaits(): number {
    let n = 0;
    for (const waiters of this.waiters.values()) n += waiters.size;
    return n;
  }

  /**
   * Forgets a settled waiter.
   *
   * @internal
   */
  removeWaiter(waiter: Waiter): void {
    const waiters = this.waiters.get(waiter.applicationName);
    if (waiters === undefined) return;
    waiters.delete(waiter);
    if (waiters.size === 0) this.waiters.delete(waiter.applicationName);
  }

  /** Rejects every pending wait with `WaitInterruptedError` (the recorder is closing). */
  interruptAll(reason: string): void {
    for (const waiters of [...this.waiters.values()]) {
      for (const waiter of [...waiters]) {
        waiter.reject(
          new WaitInterruptedError(
            `Stopped waiting for notification ${waiter.notificationId} from application ` +
              `'${waiter.applicationName}': ${reason}.`,
          ),
        );
      }
    }
  }
}

function interrupted(
  applicationName: string,
  notificationId: number,
  signal: AbortSignal | undefined,
): WaitInterruptedError {
  return new WaitInterruptedError(
    `Interrupted while waiting for notification ${notificationId} from application ` +
      `'${applicationName}' to be processed: the wait's abort signal was aborted.`,
    { cause: signal?.reason },
  );
}
