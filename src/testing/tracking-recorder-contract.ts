import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  DataError,
  IntegrityError,
  TimeoutError,
  WaitInterruptedError,
} from '../persistence/errors.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import {
  type CreateRecorder,
  contractTest,
  type RecorderContractOptions,
} from './contract-helpers.js';

/**
 * Defines `node:test` tests of the guarantees every tracking recorder keeps: strictly increasing
 * tracking ids per application, `maxTrackingId`, `hasTrackingId`, and `wait` (resolving, timing
 * out, interrupted by an `AbortSignal`). Call it at the top level of a test file.
 */
export function trackingRecorderContract<R extends TrackingRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  describe('TrackingRecorder contract', () => {
    trackingRecorderTests(create, options);
  });
}

/** Defines the tracking recorder tests in the current `describe` block. */
export function trackingRecorderTests<R extends TrackingRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  const it = contractTest(create, options);

  it('maxTrackingId is null until tracking is recorded, then the greatest id', async (recorder) => {
    assert.equal(await recorder.maxTrackingId('upstream'), null);
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 1 });
    assert.equal(await recorder.maxTrackingId('upstream'), 1);
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 5 });
    assert.equal(await recorder.maxTrackingId('upstream'), 5);
    assert.equal(await recorder.maxTrackingId('other'), null);
  });

  it('a tracking id not greater than the recorded one is an IntegrityError', async (recorder) => {
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 3 });
    await assert.rejects(
      recorder.insertTracking({ applicationName: 'upstream', notificationId: 3 }),
      IntegrityError,
    );
    await assert.rejects(
      recorder.insertTracking({ applicationName: 'upstream', notificationId: 2 }),
      IntegrityError,
    );
    assert.equal(await recorder.maxTrackingId('upstream'), 3);
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 4 });
    assert.equal(await recorder.maxTrackingId('upstream'), 4);
  });

  it('each application is tracked separately', async (recorder) => {
    await recorder.insertTracking({ applicationName: 'a', notificationId: 10 });
    await recorder.insertTracking({ applicationName: 'b', notificationId: 1 });
    await recorder.insertTracking({ applicationName: 'b', notificationId: 2 });
    assert.equal(await recorder.maxTrackingId('a'), 10);
    assert.equal(await recorder.maxTrackingId('b'), 2);
  });

  it('hasTrackingId: true for null, and for ids up to the greatest', async (recorder) => {
    assert.equal(await recorder.hasTrackingId('upstream', null), true);
    assert.equal(await recorder.hasTrackingId('upstream', undefined), true);
    assert.equal(await recorder.hasTrackingId('upstream', 1), false);
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 2 });
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 4 });
    assert.equal(await recorder.hasTrackingId('upstream', 1), true);
    assert.equal(await recorder.hasTrackingId('upstream', 2), true);
    assert.equal(await recorder.hasTrackingId('upstream', 4), true);
    assert.equal(await recorder.hasTrackingId('upstream', 5), false);
    assert.equal(await recorder.hasTrackingId('other', 1), false);
  });

  it('malformed tracking rejects (never throws synchronously)', async (recorder) => {
    const bad: unknown[] = [
      { applicationName: 'upstream', notificationId: 1.5 },
      { applicationName: 'upstream', notificationId: '2' },
      { applicationName: 7, notificationId: 1 },
      null,
    ];
    for (const tracking of bad) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = recorder.insertTracking(
          tracking as { applicationName: string; notificationId: number },
        );
      });
      await assert.rejects(promise!, Error);
    }
    assert.equal(await recorder.maxTrackingId('upstream'), null);
  });

  it('an application name holding a lone UTF-16 surrogate rejects with DataError', async (recorder) => {
    const name = `upstream${'😀'.slice(0, 1)}`;
    await assert.rejects(
      recorder.insertTracking({ applicationName: name, notificationId: 1 }),
      DataError,
    );
    await assert.rejects(recorder.maxTrackingId(name), DataError);
    await assert.rejects(recorder.hasTrackingId(name, 1), DataError);
    assert.equal(await recorder.maxTrackingId('upstream'), null);
  });

  it('malformed maxTrackingId and hasTrackingId arguments reject with TypeError', async (recorder) => {
    await assert.rejects(recorder.maxTrackingId(7 as unknown as string), TypeError);
    await assert.rejects(recorder.hasTrackingId('upstream', 1.5), TypeError);
    await assert.rejects(recorder.hasTrackingId(null as unknown as string, 1), TypeError);
  });

  it('concurrent inserts of the same tracking id: exactly one wins', async (recorder) => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        recorder.insertTracking({ applicationName: 'upstream', notificationId: 7 }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(r.reason instanceof IntegrityError, String(r.reason));
    }
    assert.equal(await recorder.maxTrackingId('upstream'), 7);
  });

  it('wait resolves at once for a processed notification, or for null', async (recorder) => {
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 3 });
    await recorder.wait('upstream', 3);
    await recorder.wait('upstream', 2);
    await recorder.wait('upstream', null);
    await recorder.wait('never', undefined);
  });

  it('wait resolves when the notification is processed later', async (recorder) => {
    const waiting = recorder.wait('upstream', 2, { timeout: 20_000 });
    const waitingLonger = recorder.wait('upstream', 3, { timeout: 20_000 });
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 1 });
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 2 });
    await waiting;
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 5 });
    await waitingLonger;
  });

  it('wait rejects with TimeoutError when the notification is not processed in time', async (recorder) => {
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 1 });
    await assert.rejects(recorder.wait('upstream', 2, { timeout: 50 }), TimeoutError);
    await assert.rejects(recorder.wait('other', 1, { timeout: 0 }), TimeoutError);
  });

  it('wait rejects with WaitInterruptedError when its signal aborts', async (recorder) => {
    const controller = new AbortController();
    const waiting = recorder.wait('upstream', 1, { timeout: 20_000, signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, WaitInterruptedError);
    await assert.rejects(
      recorder.wait('upstream', 1, { timeout: 20_000, signal: AbortSignal.abort() }),
      WaitInterruptedError,
    );
    // An aborted signal does not matter when there is nothing to wait for.
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 1 });
    await recorder.wait('upstream', 1, { signal: AbortSignal.abort() });
  });
}
