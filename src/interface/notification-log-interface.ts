import type { Notification } from '../persistence/stored-event.js';

/** Options of `NotificationLogInterface.getLogSection`. */
export interface GetLogSectionOptions {
  /** Aborting it abandons the call (over HTTP: the request). */
  signal?: AbortSignal;
}

/** Options of `NotificationLogInterface.getNotifications`. */
export interface GetNotificationsOptions {
  /** Only notifications with one of these topics (all when empty or absent). */
  topics?: readonly string[];
  /** Whether `start` itself is included (default `true`). */
  inclusiveOfStart?: boolean;
  /** Only ids less than or equal to this (no bound when null or absent). */
  stop?: number | null;
  /** Aborting it abandons the call (over HTTP: the request). */
  signal?: AbortSignal;
}

/**
 * Serialised sections and selections of a notification log (Python's
 * `NotificationLogInterface`): the JSON of the Python library's wire format. Implemented by
 * `NotificationLogJSONService` (in the leader's process) and `HttpNotificationLogInterface`
 * (anywhere else, over HTTP); read by `NotificationLogJSONClient`.
 */
export interface NotificationLogInterface {
  /** The JSON of the section with the given `"first,last"` id. */
  getLogSection(sectionId: string, options?: GetLogSectionOptions): Promise<string>;
  /**
   * The JSON array of at most `limit` notifications from `start` (from the beginning when null
   * or absent).
   */
  getNotifications(
    start: number | null | undefined,
    limit: number,
    options?: GetNotificationsOptions,
  ): Promise<string>;
}

/** Options of `subscribe` (`NotificationLogJSONService`, `HttpNotificationLogInterface`). */
export interface SubscribeNotificationsOptions {
  /** Only notifications with one of these topics (all when empty or absent). */
  topics?: readonly string[];
  /** Aborting it stops the subscription, as `stop()` does. */
  signal?: AbortSignal;
}

/**
 * New notifications as they are recorded, in order, each once, until stopped: `stop()` (or
 * breaking out of `for await`, or the `signal`) ends the iteration and leaves nothing open.
 */
export interface NotificationSubscription extends AsyncIterable<Notification>, AsyncDisposable {
  /** Ends the iteration: a waiting `next()` resolves `{ done: true }`. Safe to repeat. */
  stop(): void;
}

/**
 * A `NotificationLogInterface` that can also push new notifications: the handler serves its
 * `subscribe` as the streaming endpoint `GET {basePath}/stream?gt=&topics=`.
 */
export interface SubscribableNotificationLogInterface extends NotificationLogInterface {
  /** The notifications with ids greater than `gt` (all when null), as they are recorded. */
  subscribe(gt: number | null, options?: SubscribeNotificationsOptions): NotificationSubscription;
}
