import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { ApplicationRecorder, SubscriptionPage } from '../persistence/recorders.js';
import {
  type CreateRecorder,
  contractTest,
  type RecorderContractOptions,
  storedEvent,
} from './contract-helpers.js';

/**
 * Defines `node:test` tests of the pages of an application recorder's subscriptions
 * (`Subscription.nextPage`), which projection runners read: pages end at their last
 * notification, or, with topics, at the head read before the select (so that notifications
 * filtered out are passed over, with a page of no items when only they are new); nothing is
 * skipped; a page waits when nothing is new; stopping leaves nothing running. Call it at the top
 * level of a test file.
 */
export function subscriptionPagesContract<R extends ApplicationRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  describe('Subscription pages contract', () => {
    subscriptionPagesTests(create, options);
  });
}

/** Defines the subscription pages tests in the current `describe` block. */
export function subscriptionPagesTests<R extends ApplicationRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  const it = contractTest(create, options);

  /** Inserts one event per topic, each in its own transaction; resolves to their ids. */
  async function insert(recorder: R, topics: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const topic of topics) {
      ids.push(...(await recorder.insertEvents([storedEvent(randomUUID(), 1, topic)])));
    }
    return ids;
  }

  function nextPage(subscription: ReturnType<R['subscribe']>): Promise<SubscriptionPage | null> {
    assert.equal(typeof subscription.nextPage, 'function', 'subscriptions should have nextPage');
    return subscription.nextPage!();
  }

  it('pages without topics hold every notification and end at the last one', async (recorder) => {
    const ids = await insert(recorder, ['t:A', 't:B', 't:A']);
    const subscription = recorder.subscribe({ gt: ids[0]! - 1 }) as ReturnType<R['subscribe']>;
    try {
      const page = await nextPage(subscription);
      assert.deepEqual(
        page?.items.map((n) => n.id),
        ids,
      );
      assert.equal(page?.position, ids[2]);
      const waiting = nextPage(subscription);
      const [later] = await insert(recorder, ['t:B']);
      const next = await waiting;
      assert.deepEqual(
        next?.items.map((n) => n.id),
        [later],
      );
      assert.equal(next?.position, later);
    } finally {
      await subscription[Symbol.asyncDispose]();
    }
  });

  it('pages hold at most batchSize notifications', async (recorder) => {
    const ids = await insert(recorder, ['t:A', 't:B', 't:A', 't:B', 't:A']);
    const subscription = recorder.subscribe({ gt: ids[0]! - 1, batchSize: 2 }) as ReturnType<
      R['subscribe']
    >;
    try {
      const pages: number[][] = [];
      for (let read = 0; read < ids.length; ) {
        const page = await nextPage(subscription);
        assert.ok(page !== null && page.items.length <= 2, 'a page of at most 2');
        pages.push(page.items.map((n) => n.id));
        read += page.items.length;
      }
      assert.deepEqual(pages.flat(), ids);
      assert.equal(pages[0]?.length, 2);
    } finally {
      await subscription[Symbol.asyncDispose]();
    }
  });

  it('pages with topics pass over filtered-out notifications, and wait when nothing is new', async (recorder) => {
    const ids = await insert(recorder, ['t:A', 't:B', 't:B', 't:A', 't:B']);
    const subscription = recorder.subscribe({ topics: ['t:A'] }) as ReturnType<R['subscribe']>;
    try {
      const page = await nextPage(subscription);
      assert.deepEqual(
        page?.items.map((n) => n.id),
        [ids[0], ids[3]],
      );
      assert.equal(page?.position, ids[4], 'the page has read up to the head');
      // Only filtered-out news: a page with no items, whose position moved on.
      const waiting = nextPage(subscription);
      const [filtered] = await insert(recorder, ['t:B']);
      const empty = await waiting;
      assert.deepEqual(empty?.items, []);
      assert.equal(empty?.position, filtered);
      // Nothing new: it waits, then brings the next match.
      const next = nextPage(subscription);
      let settled = false;
      next.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(settled, false, 'a page with nothing new waits');
      const [matched] = await insert(recorder, ['t:A']);
      const last = await next;
      assert.deepEqual(
        last?.items.map((n) => n.id),
        [matched],
      );
      assert.equal(last?.position, matched);
    } finally {
      await subscription[Symbol.asyncDispose]();
    }
  });

  it('pages with topics never skip a notification recorded while they read', async (recorder) => {
    const subscription = recorder.subscribe({ topics: ['t:A', 't:END'] }) as ReturnType<
      R['subscribe']
    >;
    const expected: number[] = [];
    try {
      const writing = (async () => {
        for (let round = 0; round < 10; round++) {
          // Concurrent writes, most of them filtered out.
          const topics = ['t:B', 't:A', 't:B', 't:B', round % 2 === 0 ? 't:A' : 't:B'];
          const ids = await Promise.all(topics.map((topic) => insert(recorder, [topic])));
          topics.forEach((topic, k) => {
            if (topic === 't:A') expected.push(...ids[k]!);
          });
        }
        await insert(recorder, ['t:END']);
      })();
      const seen: number[] = [];
      let position = 0;
      for (;;) {
        const page = await nextPage(subscription);
        assert.ok(page !== null);
        assert.ok(page.position > position, 'each page moves the position on');
        for (const n of page.items) assert.ok(n.id > position && n.id <= page.position);
        position = page.position;
        seen.push(...page.items.filter((n) => n.topic === 't:A').map((n) => n.id));
        if (page.items.some((n) => n.topic === 't:END')) break;
      }
      await writing;
      assert.deepEqual(
        seen,
        expected.sort((a, b) => a - b),
      );
    } finally {
      await subscription[Symbol.asyncDispose]();
    }
  });

  it('a stopped subscription gives null pages and leaves nothing running', async (recorder) => {
    await insert(recorder, ['t:A']);
    const subscription = recorder.subscribe({ topics: ['t:A'] }) as ReturnType<R['subscribe']>;
    const page = await nextPage(subscription);
    assert.equal(page?.items.length, 1);
    const waiting = nextPage(subscription);
    subscription.stop();
    assert.equal(await waiting, null);
    assert.equal(await nextPage(subscription), null);
    await subscription[Symbol.asyncDispose]();
  });
}
