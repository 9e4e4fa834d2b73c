import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { IntegrityError, ProgrammingError } from '../persistence/errors.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { contractTest, type RecorderContractOptions } from './contract-helpers.js';

/**
 * A view for `recordBatchContract`: a tracking recorder with counters, written in the
 * backend's `transaction(tracking, fn)`, and a `clear()` that empties them (or, while
 * `refuseClear` is set, calls the default `clear()`, which refuses).
 */
export interface CountingView extends TrackingRecorder {
  /** Adds one to the counter `name`, with the tracking, in one view transaction. */
  increment(name: string, tracking: Tracking): Promise<void>;
  /** The counter `name` (0 when it was never incremented). */
  count(name: string): Promise<number>;
  /** When true, `clear()` calls the default one (which refuses) instead of emptying. */
  refuseClear: boolean;
}

/** Options of `recordBatchContract`. */
export interface RecordBatchContractOptions<R> extends RecorderContractOptions<R> {
  /**
   * Whether a failed batch rolls back the writes it made (true on SQL databases; false in
   * memory, where each write of a batch stays recorded with its own tracking).
   */
  rollsBack: boolean;
}

/**
 * Defines `node:test` tests of `recordBatch` and `resetTracking` (the seams of projection
 * runners) on a counting view: a batch commits its writes and its tracking together; a throw
 * rolls it back; each write is checked as if recorded; a batch's tracking beyond its last
 * write is recorded; a second delivery is an `IntegrityError`; a reset empties the view and
 * forgets one application's tracking; the default `clear` refuses. Call it at the top level of
 * a test file; `create(name)` makes a fresh view (use `name` for table names).
 */
export function recordBatchContract<R extends CountingView>(
  create: (name: string) => R | Promise<R>,
  options: RecordBatchContractOptions<R>,
): void {
  describe('recordBatch and resetTracking contract', () => {
    recordBatchTests(create, options);
  });
}

/** Defines the `recordBatch` and `resetTracking` tests in the current `describe` block. */
export function recordBatchTests<R extends CountingView>(
  create: (name: string) => R | Promise<R>,
  options: RecordBatchContractOptions<R>,
): void {
  const it = contractTest(create, options);
  const up = (notificationId: number): Tracking => ({
    applicationName: 'upstream',
    notificationId,
  });

  function batch<T>(view: R, tracking: Tracking, fn: () => Promise<T>): Promise<T> {
    assert.equal(typeof view.recordBatch, 'function', 'the view should have recordBatch');
    return view.recordBatch!(tracking, fn);
  }

  async function counts(view: R): Promise<[number, number]> {
    return [await view.count('a'), await view.count('b')];
  }

  it('a batch of view writes commits them with its tracking', async (view) => {
    const result = await batch(view, up(3), async () => {
      await view.increment('a', up(1));
      await view.increment('b', up(2));
      await view.increment('a', up(3));
      return 'done';
    });
    assert.equal(result, 'done');
    assert.deepEqual(await counts(view), [2, 1]);
    assert.equal(await view.maxTrackingId('upstream'), 3);
  });

  it("a batch's tracking beyond its last write (filtered-out notifications) is recorded", async (view) => {
    await batch(view, up(9), async () => {
      await view.increment('a', up(4));
    });
    assert.equal(await view.maxTrackingId('upstream'), 9);
    await batch(view, up(12), async () => {});
    assert.equal(await view.maxTrackingId('upstream'), 12);
    assert.deepEqual(await counts(view), [1, 0]);
  });

  it('a throw inside a batch rolls its writes and tracking back', async (view) => {
    await batch(view, up(2), async () => {
      await view.increment('a', up(2));
    });
    await assert.rejects(
      batch(view, up(9), async () => {
        await view.increment('a', up(3));
        await view.increment('b', up(4));
        throw new Error('boom');
      }),
      /boom/,
    );
    if (options.rollsBack) {
      assert.deepEqual(await counts(view), [1, 0]);
      assert.equal(await view.maxTrackingId('upstream'), 2);
    } else {
      // Memory has no rollback: each write stays recorded with its own tracking.
      assert.deepEqual(await counts(view), [2, 1]);
      assert.equal(await view.maxTrackingId('upstream'), 4);
    }
    // The view goes on from what is recorded.
    const next = (await view.maxTrackingId('upstream'))! + 1;
    await batch(view, up(next), async () => view.increment('b', up(next)));
    assert.equal(await view.maxTrackingId('upstream'), next);
  });

  it('a write not after the last one of the batch, or the recorded one, is an IntegrityError', async (view) => {
    await batch(view, up(5), async () => view.increment('a', up(5)));
    let inner: unknown;
    await assert.rejects(
      batch(view, up(9), async () => {
        await view.increment('a', up(6));
        inner = await view.increment('a', up(6)).catch((error: unknown) => error);
        throw inner;
      }),
      IntegrityError,
    );
    assert.ok(inner instanceof IntegrityError, String(inner));
    await assert.rejects(
      batch(view, up(9), async () => view.increment('a', up(5))),
      IntegrityError,
    );
    await assert.rejects(
      batch(view, up(9), async () => view.insertTracking(up(4))),
      IntegrityError,
    );
    assert.deepEqual(await counts(view), options.rollsBack ? [1, 0] : [2, 0]);
    assert.equal(await view.maxTrackingId('upstream'), options.rollsBack ? 5 : 6);
  });

  it('a failed write fails the batch even if its function caught the error', async (view) => {
    let later: unknown;
    await assert.rejects(
      batch(view, up(9), async () => {
        await view.increment('a', up(2));
        await view.increment('a', up(2)).catch(() => {});
        later = await view.increment('b', up(3)).catch((error: unknown) => error);
      }),
      IntegrityError,
    );
    assert.ok(later instanceof ProgrammingError, String(later));
    assert.equal(await view.count('b'), 0);
    assert.equal(await view.maxTrackingId('upstream'), options.rollsBack ? null : 2);
  });

  it('a second delivery of a batch is an IntegrityError, and changes nothing', async (view) => {
    await batch(view, up(4), async () => {
      await view.increment('a', up(3));
      await view.increment('b', up(4));
    });
    let ran = false;
    await assert.rejects(
      batch(view, up(4), async () => {
        ran = true;
      }),
      IntegrityError,
    );
    assert.equal(ran, false, 'the function of a batch already recorded does not run');
    await assert.rejects(view.increment('a', up(3)), IntegrityError);
    await assert.rejects(view.increment('b', up(4)), IntegrityError);
    assert.deepEqual(await counts(view), [1, 1]);
    assert.equal(await view.maxTrackingId('upstream'), 4);
  });

  it("a batch's tracking equal to its last write is fine; behind it, a ProgrammingError", async (view) => {
    await batch(view, up(2), async () => view.increment('a', up(2)));
    assert.equal(await view.maxTrackingId('upstream'), 2);
    await assert.rejects(
      batch(view, up(3), async () => view.increment('a', up(4))),
      ProgrammingError,
    );
    if (options.rollsBack) {
      assert.deepEqual(await counts(view), [1, 0]);
      assert.equal(await view.maxTrackingId('upstream'), 2);
    }
  });

  it('batches of one view do not nest', async (view) => {
    await assert.rejects(
      batch(view, up(5), async () => {
        await batch(view, up(6), async () => {});
      }),
      ProgrammingError,
    );
    assert.equal(await view.maxTrackingId('upstream'), null);
    await batch(view, up(1), async () => view.increment('a', up(1)));
    assert.equal(await view.count('a'), 1);
  });

  it("resetTracking empties the view and forgets that application's tracking only", async (view) => {
    await batch(view, up(3), async () => {
      await view.increment('a', up(1));
      await view.increment('b', up(2));
    });
    await view.insertTracking({ applicationName: 'other', notificationId: 7 });
    assert.equal(typeof view.resetTracking, 'function', 'the view should have resetTracking');
    await view.resetTracking!('upstream');
    assert.deepEqual(await counts(view), [0, 0]);
    assert.equal(await view.maxTrackingId('upstream'), null);
    assert.equal(await view.maxTrackingId('other'), 7);
    // Rebuilt from the start.
    await batch(view, up(3), async () => {
      await view.increment('a', up(1));
    });
    assert.deepEqual(await counts(view), [1, 0]);
    assert.equal(await view.maxTrackingId('upstream'), 3);
  });

  it('the default clear refuses with a ProgrammingError, and nothing changes', async (view) => {
    await batch(view, up(2), async () => view.increment('a', up(2)));
    view.refuseClear = true;
    await assert.rejects(view.resetTracking!('upstream'), (error: unknown) => {
      assert.ok(error instanceof ProgrammingError, String(error));
      assert.match(error.message, /override clear\(\)/);
      return true;
    });
    assert.deepEqual(await counts(view), [1, 0]);
    assert.equal(await view.maxTrackingId('upstream'), 2);
  });
}
