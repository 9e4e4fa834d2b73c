import type { WakeUpSource } from './notification-signal.js';
import { PositionSubscription } from './position-subscription.js';
import type { SelectNotificationsOptions, Subscription } from './recorders.js';
import type { Notification } from './stored-event.js';
import type { SubscriptionRetry } from './subscription-retry.js';
import { checkOptionalInteger, checkTopics } from './validation.js';

/** What a `NotificationSubscription` reads from: any application recorder. */
export interface NotificationSelector {
  /** Notifications from `start`, at most `limit`, as `ApplicationRecorder.selectNotifications`. */
  selectNotifications(
    start: number | null,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]>;
  /**
   * The greatest notification id (as `ApplicationRecorder.maxNotificationId`). With it, pages
   * of a subscription with topics advance over the notifications filtered out; without it,
   * only up to the last one that matched.
   */
  maxNotificationId?(): Promise<number | null>;
}

/** Options of `NotificationSubscription`. */
export interface NotificationSubscriptionOptions {
  /** Only notifications with ids greater than this (from the beginning when null). */
  gt?: number | null;
  /** Only notifications with one of these topics (all topics when empty). */
  topics?: readonly string[];
  /** Tells the subscription when new notifications may exist (inserts, LISTEN/NOTIFY). */
  wakeUp?: WakeUpSource | null;
  /**
   * Milliseconds between polls while waiting, in case a wake-up is lost (a dropped LISTEN
   * connection, a writer in another process). Null: wait for wake-ups only.
   */
  pollInterval?: number | null;
  /** How many notifications to read per query (default 500). */
  batchSize?: number;
  /** Aborting it stops the subscription, as `stop()` does. */
  signal?: AbortSignal | null | undefined;
  /** Retries reads whose failures may pass (a restarting server) instead of ending. */
  retry?: SubscriptionRetry | null;
}

function notificationId(notification: Notification): number {
  return notification.id;
}

/**
 * A subscription to an application recorder's notifications, shared by the persistence
 * modules: the `PositionSubscription` loop over `selectNotifications(last, batchSize, {
 * inclusiveOfStart: false, topics })`. It yields every notification after `gt`, in id order,
 * once each, until `stop()` is called, the signal aborts, the `for await` loop exits, or it is
 * disposed.
 *
 * Its pages (`nextPage()`) with topics read the head (`maxNotificationId`) first and select up
 * to it: a page shorter than the batch size has read every notification up to the head, so its
 * position is the head, even with no item (runners record it, and need not scan the filtered-out
 * notifications again). That is safe because every built-in recorder makes ids visible in
 * commit order: once the head is visible, so is every notification before it.
 */
export class NotificationSubscription
  extends PositionSubscription<Notification>
  implements Subscription
{
  /** @throws TypeError for a bad option, or when there is neither a wake-up source nor polling. */
  constructor(source: NotificationSelector, options: NotificationSubscriptionOptions = {}) {
    const { gt = null, topics = [] } = options;
    checkOptionalInteger('gt', gt);
    checkTopics(topics);
    const selectOptions: SelectNotificationsOptions = {
      inclusiveOfStart: false,
      topics: [...topics],
    };
    const selectPage =
      topics.length > 0 && typeof source.maxNotificationId === 'function'
        ? async (position: number, limit: number) => {
            // The head first: every id up to it is visible by the time it is (commit order).
            const head = await source.maxNotificationId!();
            if (head === null || head <= position) return { items: [], position };
            const items = await source.selectNotifications(position, limit, {
              ...selectOptions,
              stop: head,
            });
            const n = items.length;
            return { items, position: n < limit ? head : (items[n - 1] as Notification).id };
          }
        : null;
    super({
      selectAfter: (position, limit) => source.selectNotifications(position, limit, selectOptions),
      selectPage,
      positionOf: notificationId,
      after: gt,
      wakeUp: options.wakeUp ?? null,
      pollInterval: options.pollInterval ?? null,
      batchSize: options.batchSize ?? 500,
      signal: options.signal ?? null,
      retry: options.retry ?? null,
    });
  }
}
