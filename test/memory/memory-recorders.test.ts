import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  MemoryAggregateRecorder,
  MemoryApplicationRecorder,
  MemoryProcessRecorder,
  MemoryTrackingRecorder,
  MemoryTrackingTable,
} from '../../src/memory/index.js';
import {
  DataError,
  IntegrityError,
  TimeoutError,
  WaitInterruptedError,
} from '../../src/persistence/errors.js';
import type { StoredEvent } from '../../src/persistence/stored-event.js';

function event(originatorId: string = randomUUID(), version = 1, topic = 't:E'): StoredEvent {
  return { originatorId, originatorVersion: version, topic, state: Uint8Array.of(version) };
}

describe('MemoryApplicationRecorder', () => {
  test('notification ids are contiguous from 1', async () => {
    const recorder = new MemoryApplicationRecorder();
    assert.deepEqual(await recorder.insertEvents([event(), event()]), [1, 2]);
    await assert.rejects(recorder.insertEvents([event(), event('x', 1), event('x', 1)]));
    assert.deepEqual(await recorder.insertEvents([event()]), [3]);
    assert.deepEqual(await recorder.insertEvents([]), []);
    assert.deepEqual(await recorder.insertEvents([event(), event(), event()]), [4, 5, 6]);
    assert.equal(await recorder.maxNotificationId(), 6);
    const ids = (await recorder.selectNotifications(null, 100)).map((n) => n.id);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6]);
  });

  test('selectNotifications clamps a start below 1 to 1', async () => {
    const recorder = new MemoryApplicationRecorder();
    await recorder.insertEvents([event(), event(), event()]);
    const ids = async (start: number | null, inclusiveOfStart?: boolean) =>
      (await recorder.selectNotifications(start, 10, { inclusiveOfStart })).map((n) => n.id);
    assert.deepEqual(await ids(0), [1, 2, 3]);
    assert.deepEqual(await ids(-1), [1, 2, 3]);
    assert.deepEqual(await ids(-100, false), [1, 2, 3]);
    assert.deepEqual(await ids(0, false), [1, 2, 3]);
    assert.deepEqual(await ids(1, false), [2, 3]);
    assert.deepEqual(await ids(null, false), [1, 2, 3]);
    assert.deepEqual(await ids(3), [3]);
    assert.deepEqual(await ids(4), []);
    assert.deepEqual(
      (await recorder.selectNotifications(2, 10, { stop: 100 })).map((n) => n.id),
      [2, 3],
    );
    assert.deepEqual(
      (await recorder.selectNotifications(-5, 10, { stop: 0 })).map((n) => n.id),
      [],
    );
  });

  test('an IntegrityError names the originator and version and says what to do', async () => {
    const recorder = new MemoryApplicationRecorder();
    await recorder.insertEvents([event('dog-1', 1)]);
    await assert.rejects(recorder.insertEvents([event('dog-1', 1)]), (error: unknown) => {
      assert.ok(error instanceof IntegrityError);
      assert.match(error.message, /dog-1/);
      assert.match(error.message, /version 1/);
      assert.match(error.message, /concurrent writer/);
      assert.match(error.message, /reload/);
      return true;
    });
    await assert.rejects(
      recorder.insertEvents([event('dog-2', 4), event('dog-2', 4)]),
      /not unique: originator dog-2 version 4/,
    );
  });

  test('malformed events are DataErrors that say what was expected', async () => {
    const recorder = new MemoryApplicationRecorder();
    const bad = (patch: Record<string, unknown>) =>
      recorder.insertEvents([{ ...event('a', 1), ...patch } as unknown as StoredEvent]);
    await assert.rejects(bad({ originatorVersion: 1.5 }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /originatorVersion 1\.5: expected a safe integer/);
      return true;
    });
    await assert.rejects(bad({ originatorVersion: 2 ** 53 }), DataError);
    await assert.rejects(bad({ originatorId: 7 }), /originatorId 7: expected a string/);
    await assert.rejects(bad({ topic: undefined }), /topic undefined: expected a string/);
    await assert.rejects(bad({ state: [1, 2] }), /state an Array: expected a Uint8Array/);
    await assert.rejects(
      recorder.insertEvents('nope' as unknown as StoredEvent[]),
      /expects an array/,
    );
    assert.equal(await recorder.maxNotificationId(), null);
  });

  test('bad select arguments are TypeErrors', async () => {
    const recorder = new MemoryApplicationRecorder();
    await assert.rejects(recorder.selectNotifications(1, 1.5), TypeError);
    await assert.rejects(recorder.selectNotifications('1' as unknown as number, 1), TypeError);
    await assert.rejects(recorder.selectNotifications(1, 1, { stop: 0.5 }), TypeError);
    await assert.rejects(
      recorder.selectNotifications(1, 1, { topics: 't:A' as unknown as string[] }),
      TypeError,
    );
    await assert.rejects(recorder.selectEvents(42 as unknown as string), TypeError);
    await assert.rejects(recorder.selectEvents('a', { gt: 0.5 }), TypeError);
    await assert.rejects(recorder.selectEvents('a', { limit: -1 }), TypeError);
    assert.throws(() => recorder.subscribe({ gt: 1.5 }), TypeError);
  });

  test('stored events are frozen copies; returned arrays are the caller’s own', async () => {
    const recorder = new MemoryApplicationRecorder();
    const input = event('a', 1);
    await recorder.insertEvents([input]);
    const [stored] = await recorder.selectEvents('a');
    assert.ok(stored !== undefined && Object.isFrozen(stored));
    assert.notEqual(stored.state, input.state);
    assert.throws(() => {
      (stored as { topic: string }).topic = 'changed';
    }, TypeError);
    const list = await recorder.selectEvents('a');
    list.pop();
    const notifications = await recorder.selectNotifications(null, 10);
    notifications.pop();
    assert.equal((await recorder.selectEvents('a')).length, 1);
    assert.equal((await recorder.selectNotifications(null, 10)).length, 1);
  });

  test('a stopped subscription leaves no listener behind', async () => {
    const recorder = new MemoryApplicationRecorder();
    await recorder.insertEvents([event(), event()]);
    const stopped = recorder.subscribe();
    const broken = recorder.subscribe();
    assert.equal((await stopped[Symbol.asyncIterator]().next()).done, false);
    for await (const _ of broken) break;
    assert.equal(recorder.listenerCount, 1);
    stopped.stop();
    assert.equal(recorder.listenerCount, 0);
    const neverIterated = recorder.subscribe();
    assert.equal(recorder.listenerCount, 0, 'listening starts with iteration');
    neverIterated.stop();
  });

  test('close() stops every subscription and keeps the events', async () => {
    const recorder = new MemoryApplicationRecorder();
    await recorder.insertEvents([event()]);
    const subscription = recorder.subscribe({ gt: 1 });
    const pending = subscription[Symbol.asyncIterator]().next();
    await recorder.close();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(recorder.listenerCount, 0);
    await recorder.close();
    assert.equal(await recorder.maxNotificationId(), 1);
  });

  test('a subscription first iterated after close() ends without listening', async () => {
    const recorder = new MemoryApplicationRecorder();
    await recorder.insertEvents([event()]);
    const subscription = recorder.subscribe({ gt: 1 });
    await recorder.close();
    const iterator = subscription[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    await recorder.insertEvents([event()]);
    assert.equal(recorder.listenerCount, 0);
  });

  test('subscriptions read a long backlog in batches of 500', async () => {
    const recorder = new MemoryApplicationRecorder();
    const calls: number[] = [];
    const select = recorder.selectNotifications.bind(recorder);
    recorder.selectNotifications = (start, limit, options) => {
      calls.push(limit);
      return select(start, limit, options);
    };
    await recorder.insertEvents(Array.from({ length: 1100 }, () => event()));
    let count = 0;
    for await (const n of recorder.subscribe()) {
      count++;
      assert.equal(n.id, count);
      if (count === 1100) break;
    }
    assert.deepEqual(calls, [500, 500, 500]);
  });
});

describe('MemoryAggregateRecorder', () => {
  test('resolves to null and rejects malformed events with DataError', async () => {
    const recorder = new MemoryAggregateRecorder();
    assert.equal(await recorder.insertEvents([event('a', 1)]), null);
    await assert.rejects(
      recorder.insertEvents([event('a', 2), { ...event('a', 3), state: 'x' } as never]),
      DataError,
    );
    assert.equal((await recorder.selectEvents('a')).length, 1);
    await assert.rejects(recorder.insertEvents([event('a', 1)]), IntegrityError);
  });
});

describe('MemoryTrackingRecorder', () => {
  test('the IntegrityError names the ids and the application', async () => {
    const recorder = new MemoryTrackingRecorder();
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 5 });
    await assert.rejects(
      recorder.insertTracking({ applicationName: 'upstream', notificationId: 4 }),
      /Tracking notification ID 4 not greater than current max tracking ID 5 for application 'upstream'/,
    );
  });

  test('wait times out with the Python message and leaves nothing behind', async () => {
    const table = new MemoryTrackingTable();
    const recorder = new MemoryTrackingRecorder(table);
    await assert.rejects(recorder.wait('upstream', 3, { timeout: 10 }), (e: unknown) => {
      assert.ok(e instanceof TimeoutError);
      assert.match(
        e.message,
        /^Timed out waiting for notification 3 from application 'upstream' to be processed/,
      );
      return true;
    });
    assert.equal(table.pendingWaits, 0);
  });

  test('an aborted wait removes its timer and listener; its error keeps the reason', async () => {
    const table = new MemoryTrackingTable();
    const recorder = new MemoryTrackingRecorder(table);
    const controller = new AbortController();
    const waiting = recorder.wait('upstream', 3, { timeout: 60_000, signal: controller.signal });
    assert.equal(table.pendingWaits, 1);
    controller.abort(new Error('shutting down'));
    await assert.rejects(waiting, (e: unknown) => {
      assert.ok(e instanceof WaitInterruptedError);
      assert.match(e.message, /notification 3 from application 'upstream'/);
      assert.equal((e.cause as Error).message, 'shutting down');
      return true;
    });
    assert.equal(table.pendingWaits, 0);
  });

  test('wait resolves on insert, without polling, and forgets the waiter', async () => {
    const table = new MemoryTrackingTable();
    const recorder = new MemoryTrackingRecorder(table);
    const waits = [
      recorder.wait('upstream', 2, { timeout: Number.POSITIVE_INFINITY }),
      recorder.wait('upstream', 4, { timeout: 60_000 }),
      recorder.wait('other', 1, { timeout: 60_000 }),
    ];
    assert.equal(table.pendingWaits, 3);
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 3 });
    await waits[0];
    assert.equal(table.pendingWaits, 2);
    await recorder.insertTracking({ applicationName: 'upstream', notificationId: 4 });
    await waits[1];
    await recorder.close();
    await assert.rejects(waits[2]!, WaitInterruptedError);
    assert.equal(table.pendingWaits, 0);
  });

  test('bad arguments are rejected', async () => {
    const recorder = new MemoryTrackingRecorder();
    await assert.rejects(recorder.wait('a', 1, { timeout: -1 }), TypeError);
    await assert.rejects(recorder.wait('a', 1, { timeout: Number.NaN }), TypeError);
    await assert.rejects(recorder.wait('a', 1.5), TypeError);
    await assert.rejects(
      recorder.wait('a', 1, { signal: {} as unknown as AbortSignal }),
      TypeError,
    );
    await assert.rejects(recorder.hasTrackingId(1 as unknown as string, 1), TypeError);
    await assert.rejects(recorder.maxTrackingId(null as unknown as string), TypeError);
    await assert.rejects(
      recorder.insertTracking({ applicationName: 'a', notificationId: 2 ** 53 }),
      DataError,
    );
  });
});

describe('MemoryProcessRecorder', () => {
  test('a tracking recorder sharing the table sees the process recorder’s tracking', async () => {
    const table = new MemoryTrackingTable();
    const process = new MemoryProcessRecorder(table);
    const tracking = new MemoryTrackingRecorder(table);
    const waiting = tracking.wait('upstream', 1, { timeout: 60_000 });
    await process.insertEvents([event()], {
      tracking: { applicationName: 'upstream', notificationId: 1 },
    });
    await waiting;
    assert.equal(await tracking.maxTrackingId('upstream'), 1);
  });

  test('close() stops subscriptions and interrupts waits', async () => {
    const recorder = new MemoryProcessRecorder();
    const pending = recorder.subscribe()[Symbol.asyncIterator]().next();
    const waiting = recorder.wait('upstream', 1, { timeout: 60_000 });
    await recorder.close();
    assert.deepEqual(await pending, { done: true, value: undefined });
    await assert.rejects(waiting, WaitInterruptedError);
  });
});
