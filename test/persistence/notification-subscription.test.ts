import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotificationSignal, NotificationSubscription } from '../../src/persistence/index.js';
import type { SelectNotificationsOptions } from '../../src/persistence/recorders.js';
import type { Notification } from '../../src/persistence/stored-event.js';

/** A selector over an array, recording its calls; `gate` lets a test hold a query in flight. */
class FakeSource {
  readonly notifications: Notification[] = [];
  readonly calls: Array<{ start: number | null | undefined; limit: number }> = [];
  gate: Promise<void> | null = null;
  failure: Error | null = null;

  add(count: number, topic = 't:E'): void {
    for (let i = 0; i < count; i++) {
      const id = this.notifications.length * 2 + 10; // gaps between ids
      this.notifications.push({
        id,
        originatorId: `o${id}`,
        originatorVersion: 1,
        topic,
        state: Uint8Array.of(1),
      });
    }
  }

  async selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]> {
    this.calls.push({ start, limit });
    const snapshot = [...this.notifications];
    if (this.gate) await this.gate;
    if (this.failure) throw this.failure;
    assert.equal(options?.inclusiveOfStart, false);
    const topics = options?.topics ?? [];
    return snapshot
      .filter((n) => start == null || n.id > start)
      .filter((n) => topics.length === 0 || topics.includes(n.topic))
      .slice(0, limit);
  }
}

describe('NotificationSubscription', () => {
  test('needs a wake-up source or a poll interval; checks its options', () => {
    const source = new FakeSource();
    assert.throws(() => new NotificationSubscription(source), /wake-up source or a poll interval/);
    assert.throws(() => new NotificationSubscription(source, { pollInterval: 0 }), TypeError);
    assert.throws(
      () => new NotificationSubscription(source, { pollInterval: 10, batchSize: 0 }),
      TypeError,
    );
    assert.throws(
      () => new NotificationSubscription(source, { pollInterval: 10, topics: 'x' as never }),
      TypeError,
    );
    assert.throws(
      () => new NotificationSubscription(source, { pollInterval: 10, gt: 0.5 }),
      TypeError,
    );
  });

  test('reads in batches, from after gt, tolerating gaps', async () => {
    const source = new FakeSource();
    source.add(7);
    const signal = new NotificationSignal();
    const subscription = new NotificationSubscription(source, {
      gt: 10,
      wakeUp: signal,
      batchSize: 3,
    });
    const ids: number[] = [];
    for await (const n of subscription) {
      ids.push(n.id);
      if (ids.length === 6) break;
    }
    assert.deepEqual(ids, [12, 14, 16, 18, 20, 22]);
    assert.deepEqual(
      source.calls.map((c) => c.start),
      [10, 16],
    );
    assert.ok(source.calls.every((c) => c.limit === 3));
    assert.equal(signal.size, 0);
  });

  test('polls when there is no wake-up source, and stop clears the poll timer', async () => {
    const source = new FakeSource();
    const subscription = new NotificationSubscription(source, { pollInterval: 5 });
    const pending = subscription.next();
    source.add(1);
    assert.equal((await pending).value?.id, 10);
    const next = subscription.next();
    subscription.stop();
    assert.deepEqual(await next, { done: true, value: undefined });
  });

  test('overlapping next() calls are served in order, none skipped or repeated', async () => {
    const source = new FakeSource();
    const signal = new NotificationSignal();
    const subscription = new NotificationSubscription(source, { wakeUp: signal, batchSize: 2 });
    const pending = [subscription.next(), subscription.next(), subscription.next()];
    source.add(3);
    signal.notify();
    const results = await Promise.all(pending);
    assert.deepEqual(
      results.map((r) => r.value?.id),
      [10, 12, 14],
    );
    subscription.stop();
  });

  test('a wake-up during a query is not lost', async () => {
    const source = new FakeSource();
    const signal = new NotificationSignal();
    const subscription = new NotificationSubscription(source, { wakeUp: signal });
    let open!: () => void;
    source.gate = new Promise((resolve) => {
      open = resolve;
    });
    const pending = subscription.next();
    await new Promise((resolve) => setImmediate(resolve));
    // The query in flight took its snapshot before this insert.
    source.add(1);
    signal.notify();
    source.gate = null;
    open();
    assert.equal((await pending).value?.id, 10);
    subscription.stop();
  });

  test('stop() during a query resolves done when it returns; dispose waits for it', async () => {
    const source = new FakeSource();
    source.add(2);
    const signal = new NotificationSignal();
    const subscription = new NotificationSubscription(source, { wakeUp: signal });
    let open!: () => void;
    source.gate = new Promise((resolve) => {
      open = resolve;
    });
    const pending = subscription.next();
    const disposed = subscription[Symbol.asyncDispose]();
    assert.equal(subscription.isStopped, true);
    open();
    await disposed;
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(signal.size, 0);
  });

  test('a failed query rejects next() and stops the subscription', async () => {
    const source = new FakeSource();
    const signal = new NotificationSignal();
    source.failure = new Error('connection lost');
    const subscription = new NotificationSubscription(source, { wakeUp: signal });
    await assert.rejects(subscription.next(), /connection lost/);
    assert.equal(subscription.isStopped, true);
    assert.equal(signal.size, 0);
    assert.deepEqual(await subscription.next(), { done: true, value: undefined });
  });

  test('a query that fails after stop() (a closed recorder) ends iteration quietly', async () => {
    const source = new FakeSource();
    const signal = new NotificationSignal();
    const subscription = new NotificationSubscription(source, { wakeUp: signal });
    let open!: () => void;
    source.gate = new Promise((resolve) => {
      open = resolve;
    });
    const pending = subscription.next();
    await new Promise((resolve) => setImmediate(resolve));
    subscription.stop();
    source.failure = new Error('recorder closed');
    open();
    assert.deepEqual(await pending, { done: true, value: undefined });
  });

  test('closing the signal stops its subscriptions', async () => {
    const source = new FakeSource();
    const signal = new NotificationSignal();
    const a = new NotificationSubscription(source, { wakeUp: signal });
    const b = new NotificationSubscription(source, { wakeUp: signal, topics: ['t:X'] });
    const pending = [a.next(), b.next()];
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(signal.size, 2);
    signal.close();
    for (const p of pending) assert.deepEqual(await p, { done: true, value: undefined });
    assert.equal(signal.size, 0);
  });
});
