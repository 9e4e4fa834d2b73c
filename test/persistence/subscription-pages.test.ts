import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  NotificationSignal,
  NotificationSubscription,
  PositionSubscription,
} from '../../src/persistence/index.js';
import type { SelectNotificationsOptions } from '../../src/persistence/recorders.js';
import type { Notification } from '../../src/persistence/stored-event.js';

/**
 * A log of notifications with ids 1, 2, 3, … that records its reads; `gate` holds the next
 * select in flight (after it has read the head), `failures` fail the next selects.
 */
class FakeLog {
  readonly notifications: Notification[] = [];
  readonly selects: Array<{ start: number | null | undefined; stop: number | null | undefined }> =
    [];
  heads = 0;
  gate: Promise<void> | null = null;
  readonly failures: Error[] = [];
  withHead = true;

  add(topics: readonly string[]): void {
    for (const topic of topics) {
      const id = this.notifications.length + 1;
      this.notifications.push({
        id,
        originatorId: `o${id}`,
        originatorVersion: 1,
        topic,
        state: Uint8Array.of(id),
      });
    }
  }

  async selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]> {
    this.selects.push({ start, stop: options?.stop });
    const gate = this.gate;
    if (gate !== null) {
      this.gate = null;
      await gate;
    }
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const topics = options?.topics ?? [];
    const stop = options?.stop ?? Number.MAX_SAFE_INTEGER;
    return this.notifications
      .filter((n) => (start == null || n.id > start) && n.id <= stop)
      .filter((n) => topics.length === 0 || topics.includes(n.topic))
      .slice(0, limit);
  }

  async maxNotificationId(): Promise<number | null> {
    this.heads++;
    return this.notifications.length === 0 ? null : this.notifications.length;
  }
}

class Transient extends Error {}

function subscribe(log: FakeLog, options: { topics?: string[]; gt?: number; retry?: unknown[] }) {
  const signal = new NotificationSignal();
  const errors = options.retry;
  const subscription = new NotificationSubscription(
    log.withHead ? log : { selectNotifications: log.selectNotifications.bind(log) },
    {
      wakeUp: signal,
      batchSize: 3,
      topics: options.topics ?? [],
      gt: options.gt ?? null,
      retry:
        errors === undefined
          ? null
          : {
              isTransient: (error) => error instanceof Transient,
              onError: (error) => errors.push(error),
              maxDelay: 20,
            },
    },
  );
  return { subscription, signal };
}

/** Whether the promise is still pending after the queued callbacks and I/O have run. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

const ids = (page: { items: readonly Notification[] } | null) => page?.items.map((n) => n.id);

describe('Subscription pages (nextPage)', () => {
  test('without topics, pages hold up to the batch size and end at their last item', async () => {
    const log = new FakeLog();
    log.add(['a', 'b', 'a', 'b', 'a']);
    const { subscription, signal } = subscribe(log, { gt: 0 });
    const first = await subscription.nextPage();
    assert.deepEqual(ids(first), [1, 2, 3]);
    assert.equal(first?.position, 3);
    const second = await subscription.nextPage();
    assert.deepEqual(ids(second), [4, 5]);
    assert.equal(second?.position, 5);
    assert.equal(log.heads, 0, 'no head is read without topics');
    const waiting = subscription.nextPage();
    assert.equal(await isPending(waiting), true, 'waits when nothing is new');
    log.add(['c']);
    signal.notify();
    const third = await waiting;
    assert.deepEqual(ids(third), [6]);
    assert.equal(third?.position, 6);
    subscription.stop();
    assert.equal(await subscription.nextPage(), null);
    assert.equal(signal.size, 0);
  });

  test('with topics, a page advances over filtered-out notifications up to the head', async () => {
    const log = new FakeLog();
    log.add(['a', 'b', 'b', 'a', 'b', 'b', 'b']);
    const { subscription, signal } = subscribe(log, { topics: ['a'] });
    const page = await subscription.nextPage();
    assert.deepEqual(ids(page), [1, 4]);
    assert.equal(page?.position, 7, 'a short page has read everything up to the head');
    assert.deepEqual(log.selects.at(-1), { start: 0, stop: 7 });
    // Nothing new: the next page waits instead of returning an empty page.
    const waiting = subscription.nextPage();
    assert.equal(await isPending(waiting), true);
    // Only filtered-out news: a page with no items, whose position moved on.
    log.add(['b', 'b']);
    signal.notify();
    const empty = await waiting;
    assert.deepEqual(ids(empty), []);
    assert.equal(empty?.position, 9);
    const next = subscription.nextPage();
    assert.equal(await isPending(next), true);
    log.add(['b', 'a']);
    signal.notify();
    const matched = await next;
    assert.deepEqual(ids(matched), [11]);
    assert.equal(matched?.position, 11);
    await subscription[Symbol.asyncDispose]();
    assert.equal(signal.size, 0);
  });

  test('with topics, a full page ends at its last item, so none after it is skipped', async () => {
    const log = new FakeLog();
    log.add(['a', 'a', 'b', 'a', 'a', 'b']);
    const { subscription } = subscribe(log, { topics: ['a'] });
    const first = await subscription.nextPage();
    assert.deepEqual(ids(first), [1, 2, 4]);
    assert.equal(first?.position, 4);
    const second = await subscription.nextPage();
    assert.deepEqual(ids(second), [5]);
    assert.equal(second?.position, 6);
    await subscription[Symbol.asyncDispose]();
  });

  test('a matching notification recorded after the head was read comes in the next page', async () => {
    const log = new FakeLog();
    log.add(['b', 'b']);
    const { subscription, signal } = subscribe(log, { topics: ['a'] });
    let open!: () => void;
    log.gate = new Promise((resolve) => {
      open = resolve;
    });
    const pending = subscription.nextPage();
    await new Promise((resolve) => setImmediate(resolve));
    // The head (2) is read; this one commits before the select and is beyond it.
    log.add(['a']);
    signal.notify();
    open();
    const first = await pending;
    assert.deepEqual(ids(first), []);
    assert.equal(first?.position, 2);
    const second = await subscription.nextPage();
    assert.deepEqual(ids(second), [3]);
    assert.equal(second?.position, 3);
    await subscription[Symbol.asyncDispose]();
  });

  test('without maxNotificationId, pages with topics end at their last item', async () => {
    const log = new FakeLog();
    log.withHead = false;
    log.add(['a', 'b', 'b']);
    const { subscription, signal } = subscribe(log, { topics: ['a'] });
    const page = await subscription.nextPage();
    assert.deepEqual(ids(page), [1]);
    assert.equal(page?.position, 1);
    const waiting = subscription.nextPage();
    assert.equal(await isPending(waiting), true);
    subscription.stop();
    assert.equal(await waiting, null);
    assert.equal(signal.size, 0);
  });

  test('after a full page the next one is read ahead, while the caller works', async () => {
    const log = new FakeLog();
    log.add(['a', 'a', 'a', 'a', 'a', 'a', 'a']);
    const { subscription } = subscribe(log, {});
    assert.deepEqual(ids(await subscription.nextPage()), [1, 2, 3]);
    // The read of the next page started before it was asked for.
    assert.deepEqual(
      log.selects.map((s) => s.start),
      [0, 3],
    );
    assert.deepEqual(ids(await subscription.nextPage()), [4, 5, 6]);
    assert.deepEqual(ids(await subscription.nextPage()), [7]);
    assert.deepEqual(
      log.selects.map((s) => s.start),
      [0, 3, 6],
      'a short page starts no read ahead',
    );
    await subscription[Symbol.asyncDispose]();
  });

  test('stop() during a read ahead returns null; dispose waits for the read', async () => {
    const log = new FakeLog();
    log.add(['a', 'a', 'a', 'a']);
    const { subscription, signal } = subscribe(log, {});
    let open!: () => void;
    const first = subscription.nextPage();
    log.gate = new Promise((resolve) => {
      open = resolve;
    });
    assert.deepEqual(ids(await first), [1, 2, 3]);
    // The read ahead is held in flight.
    assert.equal(log.selects.length, 2);
    subscription.stop();
    assert.equal(await subscription.nextPage(), null);
    let disposed = false;
    const disposing = subscription[Symbol.asyncDispose]().then(() => {
      disposed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(disposed, false);
    open();
    await disposing;
    assert.equal(signal.size, 0);
  });

  test('a failed read rejects the page and stops the subscription', async () => {
    const log = new FakeLog();
    log.add(['a']);
    const { subscription, signal } = subscribe(log, { topics: ['a'] });
    log.failures.push(new Error('connection lost'));
    await assert.rejects(subscription.nextPage(), /connection lost/);
    assert.equal(subscription.isStopped, true);
    assert.equal(await subscription.nextPage(), null);
    assert.equal(signal.size, 0);
  });

  test('a failed read ahead is reported when its page is asked for', async () => {
    const log = new FakeLog();
    log.add(['a', 'a', 'a', 'a']);
    const { subscription } = subscribe(log, {});
    let open!: () => void;
    const first = subscription.nextPage();
    log.gate = new Promise((resolve) => {
      open = resolve;
    });
    await first;
    log.failures.push(new Error('server gone'));
    open();
    // Nobody awaits the failed read ahead yet: no unhandled rejection.
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(subscription.nextPage(), /server gone/);
    assert.equal(subscription.isStopped, true);
  });

  test('a transient failure is reported and the page read again', async () => {
    const log = new FakeLog();
    log.add(['a', 'b']);
    const errors: unknown[] = [];
    const { subscription } = subscribe(log, { topics: ['b'], retry: errors });
    log.failures.push(new Transient('restarting'));
    const page = await subscription.nextPage();
    assert.deepEqual(ids(page), [2]);
    assert.equal(errors.length, 1);
    await subscription[Symbol.asyncDispose]();
  });

  test('items left by next() come first, as a page ending at the last one read', async () => {
    const log = new FakeLog();
    log.add(['a', 'a', 'a']);
    const { subscription } = subscribe(log, {});
    assert.equal((await subscription.next()).value?.id, 1);
    const page = await subscription.nextPage();
    assert.deepEqual(ids(page), [2, 3]);
    assert.equal(page?.position, 3);
    await subscription[Symbol.asyncDispose]();
  });

  test('overlapping calls are served in order, none skipped or repeated', async () => {
    const log = new FakeLog();
    log.add(['a', 'a', 'a', 'a', 'a']);
    const { subscription } = subscribe(log, {});
    const pages = await Promise.all([subscription.nextPage(), subscription.nextPage()]);
    assert.deepEqual(pages.map(ids), [
      [1, 2, 3],
      [4, 5],
    ]);
    await subscription[Symbol.asyncDispose]();
  });

  test('PositionSubscription pages use a custom selectPage', async () => {
    const items = [{ p: 2 }, { p: 5 }];
    const signal = new NotificationSignal();
    const subscription = new PositionSubscription<{ p: number }>({
      selectAfter: async (position) => items.filter((item) => item.p > position),
      selectPage: async (position) => ({
        items: items.filter((item) => item.p > position),
        position: Math.max(position, 9),
      }),
      positionOf: (item) => item.p,
      wakeUp: signal,
    });
    const page = await subscription.nextPage();
    assert.deepEqual(page, { items, position: 9 });
    const waiting = subscription.nextPage();
    assert.equal(await isPending(waiting), true);
    subscription.stop();
    assert.equal(await waiting, null);
  });
});
