import type { Application } from '../application/application.js';
import type { DomainEventLike } from '../domain/protocols.js';
import type { Subscription } from '../persistence/recorders.js';
import type { Notification, Tracking } from '../persistence/stored-event.js';

/** Options of `ApplicationSubscription`. */
export interface ApplicationSubscriptionOptions {
  /** Only events with notification ids greater than this (from the beginning when null). */
  gt?: number | null;
  /** Only events with one of these topics (all events when empty). */
  topics?: readonly string[];
  /** Aborting it stops the subscription, as `stop()` does. */
  signal?: AbortSignal;
  /** How many notifications to read per query: the most events of a page (default 500). */
  batchSize?: number;
}

/** An upstream event with its tracking (the application's name and the event's notification id). */
export type TrackedEvent<E extends DomainEventLike = DomainEventLike> = readonly [E, Tracking];

/**
 * A page of an `ApplicationSubscription` (see `nextPage`): the events read, and the tracking of
 * the position read up to, which counts events filtered out by topics too.
 */
export interface ApplicationSubscriptionPage<E extends DomainEventLike = DomainEventLike> {
  /** The events read, in notification order, each with its tracking. */
  readonly items: ReadonlyArray<TrackedEvent<E>>;
  /**
   * Every notification up to this one has been read: the position a processor records once
   * it has processed `items` (at least the last item's; more when later ones were filtered out).
   */
  readonly tracking: Tracking;
}

/**
 * The events of an application, in notification order, each with its tracking, waiting for new
 * ones until stopped (Python's `ApplicationSubscription`): `app.recorder.subscribe(...)` decoded
 * with the application's mapper. Iterate it with `for await (const [event, tracking] of …)`, or
 * read pages with `nextPage()` (not both). `stop()`, breaking out of the loop, the signal, or
 * `await using` ends it and leaves nothing running. Constructing it does no I/O.
 *
 * @example
 * ```ts no-run
 * await using subscription = new ApplicationSubscription(school, { gt: 0, topics: [topic] });
 * for await (const [event, tracking] of subscription) {
 *   console.log(tracking.notificationId, event);
 *   if (tracking.notificationId >= 3) break;
 * }
 * ```
 */
export class ApplicationSubscription<E extends DomainEventLike = DomainEventLike>
  implements AsyncIterable<TrackedEvent<E>>, AsyncDisposable
{
  /** The application whose events are read. */
  readonly app: Application;
  private readonly subscription: Subscription;
  // Read but not handed out yet: left behind when an event failed to decode, so that the
  // events before it are handed out first and the failure is met again at that event.
  private pending: readonly Notification[] = [];
  private pendingPosition = 0;
  private iterator: AsyncIterator<Notification> | null = null;

  constructor(app: Application, options: ApplicationSubscriptionOptions = {}) {
    this.app = app;
    const { gt = null, topics = [], signal, batchSize } = options;
    this.subscription = app.recorder.subscribe({ gt, topics, signal, batchSize });
  }

  /** The events one by one, each with its tracking, waiting for new ones until stopped. */
  async *[Symbol.asyncIterator](): AsyncIterator<TrackedEvent<E>> {
    const { mapper, name } = this.app;
    try {
      for await (const notification of this.subscription) {
        const event = mapper.toDomainEvent<E>(notification);
        yield [event, { applicationName: name, notificationId: notification.id }];
      }
    } finally {
      this.subscription.stop();
    }
  }

  /**
   * The next page of events (waiting for new ones as iteration does), or `null` once stopped.
   * The page's `tracking` advances over events filtered out by topics, so a processor that
   * records it does not read them again. An event that cannot be decoded ends the page before
   * it; the next call then rejects with the decoding error (and so does every later call).
   * On a recorder whose subscription has no `nextPage`, each page holds one event.
   */
  async nextPage(): Promise<ApplicationSubscriptionPage<E> | null> {
    let notifications = this.pending;
    let position = this.pendingPosition;
    if (notifications.length === 0) {
      const subscription = this.subscription;
      if (typeof subscription.nextPage === 'function') {
        const page = await subscription.nextPage();
        if (page === null) return null;
        notifications = page.items;
        position = page.position;
      } else {
        this.iterator ??= subscription[Symbol.asyncIterator]();
        const next = await this.iterator.next();
        if (next.done === true) return null;
        notifications = [next.value];
        position = next.value.id;
      }
    }
    const { mapper, name } = this.app;
    const n = notifications.length;
    const items: TrackedEvent<E>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const notification = notifications[i]!;
      let event: E;
      try {
        event = mapper.toDomainEvent<E>(notification);
      } catch (error) {
        this.pending = i === 0 ? notifications : notifications.slice(i);
        this.pendingPosition = position;
        if (i === 0) throw error;
        items.length = i;
        return { items, tracking: items[i - 1]![1] };
      }
      items[i] = [event, { applicationName: name, notificationId: notification.id }];
    }
    this.pending = [];
    return { items, tracking: { applicationName: name, notificationId: position } };
  }

  /** Ends the subscription: a waiting read resolves as done. Safe to repeat. */
  stop(): void {
    this.subscription.stop();
  }

  /** Stops the subscription at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }
}
