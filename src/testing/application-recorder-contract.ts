import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { DataError, IntegrityError } from '../persistence/errors.js';
import type { ApplicationRecorder } from '../persistence/recorders.js';
import type { Notification, StoredEvent } from '../persistence/stored-event.js';
import { aggregateRecorderTests } from './aggregate-recorder-contract.js';
import {
  assertInteger,
  assertSameEvent,
  assertSameEvents,
  assertStrictlyIncreasing,
  type CreateRecorder,
  contractTest,
  type RecorderContractOptions,
  storedEvent,
} from './contract-helpers.js';

/**
 * Defines `node:test` tests of the guarantees every application recorder keeps: those of
 * aggregate recorders, plus notification ids (increasing in insertion order, gaps allowed),
 * `selectNotifications` options, `maxNotificationId`, subscriptions, and concurrent writers and
 * readers. Call it at the top level of a test file.
 */
export function applicationRecorderContract<R extends ApplicationRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  describe('ApplicationRecorder contract', () => {
    aggregateRecorderTests(create, options);
    applicationRecorderTests(create, options);
  });
}

/** Inserts one event per topic (fresh originators) and returns the notifications made. */
async function insertTopics(
  recorder: ApplicationRecorder,
  topics: readonly string[],
): Promise<Notification[]> {
  const events = topics.map((topic) => storedEvent(randomUUID(), 1, topic));
  const ids = await recorder.insertEvents(events);
  return events.map((e, i) => ({ ...e, id: ids[i]! }));
}

/** Asserts that the notifications have the expected ids and events, in order. */
function assertSameNotifications(
  actual: readonly Notification[],
  expected: readonly Notification[],
): void {
  assert.deepEqual(
    actual.map((n) => n.id),
    expected.map((n) => n.id),
    'notification ids',
  );
  assertSameEvents(actual, expected);
}

/**
 * Defines the application recorder tests (not those of aggregate recorders) in the current
 * `describe` block (the process recorder contract includes them).
 */
export function applicationRecorderTests<R extends ApplicationRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  const it = contractTest(create, options);

  it('insertEvents resolves to one notification id per event, increasing in insertion order', async (recorder: R) => {
    const id = randomUUID();
    const first = await recorder.insertEvents([storedEvent(id, 1), storedEvent(id, 2)]);
    assert.ok(Array.isArray(first));
    assert.equal(first.length, 2);
    for (const n of first) assertInteger(n, 'notification id');
    assertStrictlyIncreasing(first);
    const second = await recorder.insertEvents([storedEvent(randomUUID(), 1)]);
    assert.equal(second.length, 1);
    assert.ok(second[0]! > first[1]!, 'later inserts have greater ids');
    assert.deepEqual(await recorder.insertEvents([]), []);
  });

  it('maxNotificationId is null when empty, then the greatest id', async (recorder: R) => {
    assert.equal(await recorder.maxNotificationId(), null);
    const ids = await recorder.insertEvents([storedEvent(), storedEvent()]);
    assert.equal(await recorder.maxNotificationId(), ids[1]);
    const more = await recorder.insertEvents([storedEvent()]);
    assert.equal(await recorder.maxNotificationId(), more[0]);
  });

  it('selectNotifications returns the stored events with their ids, ascending', async (recorder: R) => {
    const expected = [
      ...(await insertTopics(recorder, ['t:A', 't:B'])),
      ...(await insertTopics(recorder, ['t:C'])),
    ];
    assertSameNotifications(await recorder.selectNotifications(null, 10), expected);
    assertSameNotifications(await recorder.selectNotifications(undefined, 10), expected);
    assertSameNotifications(await recorder.selectNotifications(expected[0]!.id, 10), expected);
  });

  it('selectNotifications options: start, limit, stop, topics, inclusiveOfStart', async (recorder: R) => {
    const all = await insertTopics(recorder, ['t:A', 't:B', 't:A', 't:C', 't:A', 't:B']);
    const ids = all.map((n) => n.id);
    const [n1, n2, n3, n4, n5, n6] = all as [
      Notification,
      Notification,
      Notification,
      Notification,
      Notification,
      Notification,
    ];
    const select = recorder.selectNotifications.bind(recorder);
    assertSameNotifications(await select(null, 2), [n1, n2]);
    assertSameNotifications(await select(null, 0), []);
    assertSameNotifications(await select(ids[2], 2), [n3, n4]);
    assertSameNotifications(await select(ids[2], 2, { inclusiveOfStart: true }), [n3, n4]);
    assertSameNotifications(await select(ids[2], 2, { inclusiveOfStart: false }), [n4, n5]);
    assertSameNotifications(await select(ids[5], 10, { inclusiveOfStart: false }), []);
    assertSameNotifications(await select(ids[5]! + 1, 10), []);
    assertSameNotifications(await select(null, 10, { stop: ids[2] }), [n1, n2, n3]);
    assertSameNotifications(await select(ids[1], 10, { stop: ids[3] }), [n2, n3, n4]);
    assertSameNotifications(await select(ids[3], 10, { stop: ids[3] }), [n4]);
    assertSameNotifications(await select(ids[3], 10, { stop: ids[2] }), []);
    assertSameNotifications(await select(null, 10, { topics: [] }), all);
    assertSameNotifications(await select(null, 10, { topics: ['t:A'] }), [n1, n3, n5]);
    assertSameNotifications(await select(null, 10, { topics: ['t:B', 't:C'] }), [n2, n4, n6]);
    assertSameNotifications(await select(null, 10, { topics: ['t:Z'] }), []);
    // The limit counts matching notifications, not scanned ones.
    assertSameNotifications(await select(null, 2, { topics: ['t:A'] }), [n1, n3]);
    assertSameNotifications(
      await select(ids[0], 10, { topics: ['t:A'], inclusiveOfStart: false, stop: ids[4] }),
      [n3, n5],
    );
    assertSameNotifications(
      await select(ids[1], 1, { topics: ['t:A', 't:C'], inclusiveOfStart: false }),
      [n3],
    );
  });

  it('a rejected batch takes no notification: readers never see any of it', async (recorder: R) => {
    const id = randomUUID();
    const [first] = await recorder.insertEvents([storedEvent(id, 1)]);
    await assert.rejects(
      recorder.insertEvents([storedEvent(randomUUID(), 1), storedEvent(id, 1)]),
      IntegrityError,
    );
    assert.equal(await recorder.maxNotificationId(), first);
    assert.equal((await recorder.selectNotifications(null, 10)).length, 1);
    const [next] = await recorder.insertEvents([storedEvent(id, 2)]);
    assert.ok(next! > first!);
  });

  it('malformed selectNotifications arguments reject (never throw synchronously)', async (recorder: R) => {
    await recorder.insertEvents([storedEvent()]);
    const calls = [
      () => recorder.selectNotifications(1.5, 10),
      () => recorder.selectNotifications(1, -1),
      () => recorder.selectNotifications(1, Number.NaN),
      () => recorder.selectNotifications(1, 10, { stop: 2.5 }),
      () => recorder.selectNotifications(1, 10, { topics: 'tests:Event' as unknown as string[] }),
      () => recorder.selectNotifications(1, 10, { topics: [42 as unknown as string] }),
      () => recorder.selectNotifications(1, 10, { topics: ['tests:Event', null as never] }),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = call();
      });
      await assert.rejects(promise!, TypeError);
    }
    await assert.rejects(
      recorder.selectNotifications(1, 10, { topics: ['😀'.slice(0, 1)] }),
      DataError,
    );
  });

  it('subscribe with topics that are not strings throws TypeError before it starts', async (recorder: R) => {
    assert.throws(() => recorder.subscribe({ topics: [42 as unknown as string] }), TypeError);
    assert.throws(() => recorder.subscribe({ topics: '😀'.slice(0, 1) as never }), TypeError);
  });

  it('concurrent batches never interleave their ids, and every event gets one id', async (recorder: R) => {
    const batches = Array.from({ length: 20 }, () =>
      Array.from({ length: 5 }, () => storedEvent(randomUUID(), 1)),
    );
    const results = await Promise.all(batches.map((b) => recorder.insertEvents(b)));
    const ranges = results.map((ids, i) => {
      assert.equal(ids.length, 5, `batch ${i} ids`);
      assertStrictlyIncreasing(ids, `batch ${i} ids`);
      return [ids[0]!, ids[4]!] as const;
    });
    ranges.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) {
      assert.ok(ranges[i]![0] > ranges[i - 1]![1], 'batches must not interleave');
    }
    const expected = new Map<number, StoredEvent>();
    results.forEach((ids, i) => {
      ids.forEach((id, j) => {
        expected.set(id, batches[i]![j]!);
      });
    });
    const notifications = await recorder.selectNotifications(null, 1000);
    assert.equal(notifications.length, 100);
    assertStrictlyIncreasing(notifications.map((n) => n.id));
    for (const n of notifications) assertSameEvent(n, expected.get(n.id)!);
  });

  it('concurrent conflicting writers: exactly one of each pair wins, the other stores nothing', async (recorder: R) => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const attempts = ids.flatMap((id) => [
      [storedEvent(id, 1, 't:Left'), storedEvent(randomUUID(), 1, 't:Left')],
      [storedEvent(id, 1, 't:Right'), storedEvent(randomUUID(), 1, 't:Right')],
    ]);
    const results = await Promise.allSettled(attempts.map((b) => recorder.insertEvents(b)));
    let stored = 0;
    for (let i = 0; i < ids.length; i++) {
      const pair = [results[2 * i]!, results[2 * i + 1]!];
      const winners = pair.filter((r) => r.status === 'fulfilled');
      assert.equal(winners.length, 1, `one writer of ${ids[i]} should win`);
      for (const r of pair) {
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof IntegrityError, String(r.reason));
      }
      const winner = attempts[pair[0]!.status === 'fulfilled' ? 2 * i : 2 * i + 1]!;
      const loser = attempts[pair[0]!.status === 'fulfilled' ? 2 * i + 1 : 2 * i]!;
      assertSameEvents(await recorder.selectEvents(ids[i]!), [winner[0]!]);
      assertSameEvents(await recorder.selectEvents(winner[1]!.originatorId), [winner[1]!]);
      assert.deepEqual(await recorder.selectEvents(loser[1]!.originatorId), []);
      stored += 2;
    }
    assert.equal((await recorder.selectNotifications(null, 1000)).length, stored);
  });

  it('subscribe yields existing notifications after gt, then waits for new ones', async (recorder: R) => {
    const before = await insertTopics(recorder, ['t:A', 't:B', 't:C']);
    const subscription = recorder.subscribe({ gt: before[0]!.id });
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      assertSameNotifications([(await iterator.next()).value as Notification], [before[1]!]);
      assertSameNotifications([(await iterator.next()).value as Notification], [before[2]!]);
      const pending = iterator.next();
      const after = await insertTopics(recorder, ['t:D', 't:E']);
      const first = await pending;
      assert.equal(first.done, false);
      assertSameNotifications([first.value as Notification], [after[0]!]);
      assertSameNotifications([(await iterator.next()).value as Notification], [after[1]!]);
    } finally {
      subscription.stop();
    }
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  it('subscribe without gt starts from the beginning; with topics yields only those topics', async (recorder: R) => {
    const all = await insertTopics(recorder, ['t:A', 't:B', 't:A']);
    const everything = recorder.subscribe();
    const onlyA = recorder.subscribe({ topics: ['t:A'] });
    try {
      const seen: Notification[] = [];
      for await (const n of everything) {
        seen.push(n);
        if (seen.length === 3) break;
      }
      assertSameNotifications(seen, all);
      const iterator = onlyA[Symbol.asyncIterator]();
      assertSameNotifications([(await iterator.next()).value as Notification], [all[0]!]);
      assertSameNotifications([(await iterator.next()).value as Notification], [all[2]!]);
      const pending = iterator.next();
      await insertTopics(recorder, ['t:B', 't:C']);
      const [laterA] = await insertTopics(recorder, ['t:A']);
      assertSameNotifications([(await pending).value as Notification], [laterA!]);
    } finally {
      everything.stop();
      onlyA.stop();
    }
  });

  it('stopping a subscription ends iteration and wakes a pending next() with done', async (recorder: R) => {
    await insertTopics(recorder, ['t:A']);
    const subscription = recorder.subscribe();
    const iterator = subscription[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    const pending = iterator.next();
    subscription.stop();
    assert.deepEqual(await pending, { done: true, value: undefined });
    await insertTopics(recorder, ['t:B']);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    subscription.stop(); // stopping twice is harmless
  });

  it('breaking out of for await, or disposing, stops a subscription', async (recorder: R) => {
    await insertTopics(recorder, ['t:A', 't:B']);
    const subscription = recorder.subscribe();
    for await (const n of subscription) {
      assert.equal(n.topic, 't:A');
      break;
    }
    assert.deepEqual(await subscription[Symbol.asyncIterator]().next(), {
      done: true,
      value: undefined,
    });
    let iterator: AsyncIterator<Notification> | undefined;
    {
      await using disposable = recorder.subscribe();
      iterator = disposable[Symbol.asyncIterator]();
      assert.equal((await iterator.next()).done, false);
    }
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  });

  it('several subscriptions at once each see every notification', async (recorder: R) => {
    const subscriptions = [recorder.subscribe(), recorder.subscribe(), recorder.subscribe()];
    try {
      const iterators = subscriptions.map((s) => s[Symbol.asyncIterator]());
      const pending = iterators.map((it) => it.next());
      const [n] = await insertTopics(recorder, ['t:A']);
      for (const p of pending) assertSameNotifications([(await p).value as Notification], [n!]);
    } finally {
      for (const s of subscriptions) s.stop();
    }
  });

  it('a subscriber reading while writers write sees every id once, ascending', async (recorder: R) => {
    await insertTopics(recorder, ['t:Before']);
    const gt = await recorder.maxNotificationId();
    const writers = 20;
    const perWriter = 3;
    const total = writers * perWriter * 2;
    const subscription = recorder.subscribe({ gt });
    const reading = (async () => {
      const seen: Notification[] = [];
      for await (const n of subscription) {
        seen.push(n);
        if (seen.length === total) break;
      }
      return seen;
    })();
    const written: number[] = [];
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < perWriter; i++) {
          const ids = await recorder.insertEvents([storedEvent(), storedEvent()]);
          written.push(...ids);
        }
      }),
    );
    const seen = await reading;
    const seenIds = seen.map((n) => n.id);
    assertStrictlyIncreasing(seenIds, 'ids seen by the subscriber');
    assert.deepEqual(
      seenIds,
      written.sort((a, b) => a - b),
    );
  });

  it('a long backlog is read completely, in order', async (recorder: R) => {
    const events = Array.from({ length: 1234 }, () => storedEvent());
    const ids: number[] = [];
    for (let i = 0; i < events.length; i += 100) {
      ids.push(...(await recorder.insertEvents(events.slice(i, i + 100))));
    }
    const seen: number[] = [];
    const subscription = recorder.subscribe();
    for await (const n of subscription) {
      seen.push(n.id);
      if (seen.length === ids.length) break;
    }
    assert.deepEqual(seen, ids);
    let page = await recorder.selectNotifications(null, 500);
    const paged: number[] = [];
    while (page.length > 0) {
      paged.push(...page.map((n) => n.id));
      page = await recorder.selectNotifications(page[page.length - 1]!.id, 500, {
        inclusiveOfStart: false,
      });
    }
    assert.deepEqual(paged, ids);
  });
}
