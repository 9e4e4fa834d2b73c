import { setTimeout as sleep } from 'node:timers/promises';
import type { NotificationLog, NotificationPushes } from '../application/notification-log.js';
import type { SubscribeOptions, Subscription, SubscriptionPage } from '../persistence/recorders.js';
import type { Notification } from '../persistence/stored-event.js';

/** Options of `NotificationLogSubscription`. */
export interface NotificationLogSubscriptionOptions extends SubscribeOptions {
  /**
   * Milliseconds between reads when the log has caught up and cannot push (it has no
   * `subscribe`, or its push ended): default 1000.
   */
  pollInterval?: number;
}

/**
 * A `Subscription` over any `NotificationLog`, such as another process's log read over HTTP
 * (`NotificationLogJSONClient`): it reads pages with `select` from the position it has
 * reached (whole pages, filtered by topics here, so that the position passes the
 * notifications of other topics), and once it has caught up it waits to be woken, by the log's own `subscribe` (a
 * stream of the leader's new notifications) when it has one, else by a timer (`pollInterval`).
 * The stream only wakes it: pages are always read with `select`, so what is processed comes in
 * order, once, from the position reached, whatever the stream does. A read that fails rejects
 * `nextPage` (the runner retries from its tracking); nothing is skipped.
 *
 * @internal
 */
export class NotificationLogSubscription implements Subscription {
  private readonly log: NotificationLog;
  private readonly topics: ReadonlySet<string>;
  private readonly limit: number;
  private readonly pollInterval: number;
  private readonly stopping = new AbortController();
  private position: number;
  private pushes: NotificationPushes | null = null;
  private pushEnded = false;
  private arrivals = 0;
  private wake: (() => void) | null = null;

  constructor(log: NotificationLog, options: NotificationLogSubscriptionOptions = {}) {
    const { gt = null, topics = [], signal, batchSize = 500, pollInterval = 1000 } = options;
    this.log = log;
    this.topics = new Set(topics);
    this.limit = Math.min(batchSize, log.selectLimit ?? batchSize);
    this.pollInterval = pollInterval;
    this.position = gt ?? 0;
    if (signal !== undefined) {
      if (signal.aborted) this.stop();
      else signal.addEventListener('abort', () => this.stop(), { once: true });
    }
  }

  /** The next page read with `select` after the position reached, waiting until there is one. */
  async nextPage(): Promise<SubscriptionPage | null> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const arrivalsBefore = this.arrivals;
      // Read whole pages and filter here: the position then passes the notifications of
      // other topics too, so a tracking of the last one read is recorded (and `wait` for it
      // resolves) even when it is not of the topics.
      let read: Notification[];
      try {
        read = await this.log.select(this.position, this.limit, {
          inclusiveOfStart: false,
          signal,
        });
      } catch (error) {
        // Stopped while the read was under way: the read's abort is not a failure.
        if (signal.aborted) return null;
        throw error;
      }
      if (signal.aborted) return null;
      const last = read.at(-1);
      if (last !== undefined) {
        this.position = last.id;
        const topics = this.topics;
        const items = topics.size === 0 ? read : read.filter((n) => topics.has(n.topic));
        return { items, position: last.id };
      }
      // Caught up: wait for news, unless some came while the read was under way.
      if (this.arrivals === arrivalsBefore) await this.waitForNews();
    }
    return null;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Notification> {
    try {
      for (let page = await this.nextPage(); page !== null; page = await this.nextPage()) {
        yield* page.items;
      }
    } finally {
      this.stop();
    }
  }

  stop(): void {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.pushes?.stop();
    this.wake?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }

  private async waitForNews(): Promise<void> {
    const signal = this.stopping.signal;
    if (this.pushes === null && !this.pushEnded && typeof this.log.subscribe === 'function') {
      try {
        this.listen(this.log.subscribe(this.position, { signal }));
      } catch {
        // A log that cannot push after all (a client over an interface without a stream).
        this.pushEnded = true;
      }
    }
    if (this.pushes === null) {
      await sleep(this.pollInterval, undefined, { signal }).catch(() => {});
      return;
    }
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    this.wake = null;
  }

  /** Counts the log's pushes, each waking a waiting `nextPage`; polls once they end. */
  private listen(pushes: NotificationPushes): void {
    this.pushes = pushes;
    const wake = (): void => {
      this.arrivals++;
      this.wake?.();
    };
    (async () => {
      try {
        for await (const _ of pushes) wake();
      } catch {
        // A push that cannot go on (e.g. refused): reads go on, by polling, and meet the
        // cause themselves if it lasts.
      }
      this.pushes = null;
      this.pushEnded = true;
      wake();
    })();
  }
}
