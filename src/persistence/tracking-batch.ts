import { IntegrityError, ProgrammingError } from './errors.js';
import type { Tracking } from './stored-event.js';

/**
 * The bookkeeping of one `TrackingRecorder.recordBatch` call, shared by the backends: the
 * greatest tracking id per application so far (recorded before the batch, or joined by a view
 * write of the batch), so that each write of the batch is checked as if it were recorded, and
 * the first failure of a write, which fails the whole batch even if its function caught it.
 *
 * @internal
 */
export class TrackingBatch {
  /** The tracking the batch records. */
  readonly tracking: Tracking;
  private readonly last = new Map<string, number | null>();
  private failure: { readonly error: unknown } | null = null;

  /** `recorded`: the greatest id recorded for the batch's application before the batch. */
  constructor(tracking: Tracking, recorded: number | null) {
    this.tracking = tracking;
    this.last.set(tracking.applicationName, recorded);
  }

  /**
   * The greatest id known for the application (recorded or joined), `null` when there is
   * none, or `undefined` when the backend has still to read the recorded one (`setRecorded`).
   */
  lastOf(applicationName: string): number | null | undefined {
    return this.last.get(applicationName);
  }

  /** Remembers the greatest id recorded before the batch for another application. */
  setRecorded(applicationName: string, recorded: number | null): void {
    if (!this.last.has(applicationName)) this.last.set(applicationName, recorded);
  }

  /**
   * Checks a view write's tracking against the last one (whose id `lastOf` must know) and
   * joins it to the batch.
   *
   * @throws IntegrityError when its id is not greater (and the batch fails with it);
   * ProgrammingError when a write of the batch failed before.
   */
  join(tracking: Tracking): void {
    this.checkNotFailed();
    const last = this.last.get(tracking.applicationName) ?? null;
    if (last !== null && tracking.notificationId <= last) {
      const error = new IntegrityError(
        `Tracking notification ID ${tracking.notificationId} not greater than current max ` +
          `tracking ID ${last} for application '${tracking.applicationName}' (recorded, or ` +
          'processed earlier in this batch): that notification has already been processed. ' +
          'Skip it, or resume from the recorded position.',
      );
      this.fail(error);
      throw error;
    }
    this.last.set(tracking.applicationName, tracking.notificationId);
  }

  /** Fails the batch with a view write's error (the first one is kept). */
  fail(error: unknown): void {
    this.failure ??= { error };
  }

  /** @throws ProgrammingError when a write of the batch has failed (no more may join). */
  checkNotFailed(): void {
    if (this.failure !== null) {
      throw new ProgrammingError(
        'A view write of this batch failed, so the batch will be rolled back: stop processing ' +
          'it and let recordBatch() reject with that error.',
        { cause: this.failure.error },
      );
    }
  }

  /**
   * Called when the batch's function has resolved, before committing.
   *
   * @throws the first failed write's error; ProgrammingError when a write of the batch tracked
   * an id greater than the batch's own tracking.
   */
  finish(): void {
    this.rethrowFailure();
    const last = this.last.get(this.tracking.applicationName) ?? null;
    if (last !== null && last > this.tracking.notificationId) {
      throw batchBehindWrite(this.tracking, last);
    }
  }

  /** @throws the first failed write's error, if a write of the batch failed. */
  rethrowFailure(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}

/** The error of a batch whose tracking is behind a write of the batch (tracked `last`). */
export function batchBehindWrite(tracking: Tracking, last: number): ProgrammingError {
  return new ProgrammingError(
    `The batch's tracking (notification ${tracking.notificationId} of ` +
      `'${tracking.applicationName}') is behind a write of the batch (notification ${last}): ` +
      "give recordBatch() the position of the batch's last notification or beyond.",
  );
}

/** The error of `recordBatch` called while a batch of the same recorder is open. */
export function batchAlreadyOpen(): ProgrammingError {
  return new ProgrammingError(
    'recordBatch() was called while a batch of this view is open: batches of one view run one ' +
      'at a time (await the first before starting the next).',
  );
}

/** The default `clear` of views: it refuses, so `resetTracking` changes nothing. */
export function clearNotOverridden(view: object): ProgrammingError {
  return new ProgrammingError(
    `${view.constructor.name} cannot be reset: override clear() to empty the view's tables so ` +
      'it can be rebuilt (resetTracking() calls it, in the transaction that forgets the ' +
      'tracking). Nothing was changed.',
  );
}
