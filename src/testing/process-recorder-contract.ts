import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { IntegrityError } from '../persistence/errors.js';
import type { ProcessRecorder } from '../persistence/recorders.js';
import { aggregateRecorderTests } from './aggregate-recorder-contract.js';
import { applicationRecorderTests } from './application-recorder-contract.js';
import {
  assertSameEvents,
  type CreateRecorder,
  contractTest,
  type RecorderContractOptions,
  storedEvent,
} from './contract-helpers.js';
import { trackingRecorderTests } from './tracking-recorder-contract.js';

/**
 * Defines `node:test` tests of the guarantees every process recorder keeps: those of
 * application and tracking recorders, plus events and tracking recorded atomically together.
 * Call it at the top level of a test file.
 */
export function processRecorderContract<R extends ProcessRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  describe('ProcessRecorder contract', () => {
    aggregateRecorderTests(create, options);
    applicationRecorderTests(create, options);
    trackingRecorderTests(create, options);
    processRecorderTests(create, options);
  });
}

/** Defines the process recorder tests (events with tracking) in the current `describe` block. */
export function processRecorderTests<R extends ProcessRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  const it = contractTest(create, options);

  it('insertEvents with tracking records both', async (recorder) => {
    const id = randomUUID();
    const events = [storedEvent(id, 1), storedEvent(id, 2)];
    const ids = await recorder.insertEvents(events, {
      tracking: { applicationName: 'upstream', notificationId: 4 },
    });
    assert.equal(ids.length, 2);
    assertSameEvents(await recorder.selectEvents(id), events);
    assert.equal(await recorder.maxTrackingId('upstream'), 4);
    assert.equal(await recorder.hasTrackingId('upstream', 4), true);
    // Tracking may be absent, null or undefined.
    await recorder.insertEvents([storedEvent(id, 3)], { tracking: null });
    await recorder.insertEvents([storedEvent(id, 4)], {});
    await recorder.insertEvents([storedEvent(id, 5)]);
    assert.equal(await recorder.maxTrackingId('upstream'), 4);
  });

  it('an empty list of events with tracking records the tracking alone', async (recorder) => {
    const ids = await recorder.insertEvents([], {
      tracking: { applicationName: 'upstream', notificationId: 2 },
    });
    assert.deepEqual(ids, []);
    assert.equal(await recorder.maxTrackingId('upstream'), 2);
    assert.equal(await recorder.maxNotificationId(), null);
  });

  it('a duplicate tracking id stores none of the events', async (recorder) => {
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 5 });
    const id = randomUUID();
    await assert.rejects(
      recorder.insertEvents([storedEvent(id, 1)], {
        tracking: { applicationName: 'upstream', notificationId: 5 },
      }),
      IntegrityError,
    );
    assert.deepEqual(await recorder.selectEvents(id), []);
    assert.equal(await recorder.maxNotificationId(), null);
    assert.equal(await recorder.maxTrackingId('upstream'), 5);
  });

  it('a duplicate event stores no tracking and none of the other events', async (recorder) => {
    const id = randomUUID();
    const other = randomUUID();
    await recorder.insertEvents([storedEvent(id, 1)]);
    await assert.rejects(
      recorder.insertEvents([storedEvent(other, 1), storedEvent(id, 1)], {
        tracking: { applicationName: 'upstream', notificationId: 1 },
      }),
      IntegrityError,
    );
    assert.equal(await recorder.maxTrackingId('upstream'), null);
    assert.deepEqual(await recorder.selectEvents(other), []);
    assert.equal((await recorder.selectNotifications(null, 10)).length, 1);
  });

  it('malformed tracking stores none of the events', async (recorder) => {
    const id = randomUUID();
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = recorder.insertEvents([storedEvent(id, 1)], {
        tracking: { applicationName: 'upstream', notificationId: 1.5 },
      });
    });
    await assert.rejects(promise!, Error);
    assert.deepEqual(await recorder.selectEvents(id), []);
  });

  it('wait resolves when events are recorded with tracking', async (recorder) => {
    const waiting = recorder.wait('upstream', 3, { timeout: 20_000 });
    await recorder.insertEvents([storedEvent()], {
      tracking: { applicationName: 'upstream', notificationId: 3 },
    });
    await waiting;
  });

  it('concurrent processors of one notification: exactly one records its events', async (recorder) => {
    const batches = Array.from({ length: 5 }, () => [storedEvent(), storedEvent()]);
    const results = await Promise.allSettled(
      batches.map((events) =>
        recorder.insertEvents(events, {
          tracking: { applicationName: 'upstream', notificationId: 9 },
        }),
      ),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.equal(winners.length, 1);
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(r.reason instanceof IntegrityError, String(r.reason));
    }
    for (let i = 0; i < batches.length; i++) {
      const expected = i === winners[0] ? 1 : 0;
      for (const event of batches[i]!) {
        assert.equal((await recorder.selectEvents(event.originatorId)).length, expected);
      }
    }
    assert.equal((await recorder.selectNotifications(null, 100)).length, 2);
    assert.equal(await recorder.maxTrackingId('upstream'), 9);
  });

  it('tracking of several applications processed concurrently all lands', async (recorder) => {
    // Each upstream application's notifications are processed in order, concurrently with the
    // other applications'; every write must land.
    const apps = ['a', 'b', 'c'];
    await Promise.all(
      apps.map(async (app) => {
        for (let n = 1; n <= 5; n++) {
          await recorder.insertEvents([storedEvent()], {
            tracking: { applicationName: app, notificationId: n },
          });
        }
      }),
    );
    for (const app of apps) assert.equal(await recorder.maxTrackingId(app), 5);
    assert.equal((await recorder.selectNotifications(null, 100)).length, 15);
  });
}
