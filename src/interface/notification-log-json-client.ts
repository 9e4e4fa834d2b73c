import type { NotificationLog, Section } from '../application/notification-log.js';
import type { SelectNotificationsOptions } from '../persistence/recorders.js';
import type { Notification } from '../persistence/stored-event.js';
import type { HttpSubscribeOptions } from './http-notification-log-interface.js';
import type {
  NotificationLogInterface,
  NotificationSubscription,
  SubscribableNotificationLogInterface,
} from './notification-log-interface.js';
import { decodeNotifications, decodeSection } from './wire-format.js';

/** Options of `NotificationLogJSONClient`. */
export interface NotificationLogJSONClientOptions {
  /**
   * Whether the leader's originator ids are text (`ORIGINATOR_ID_TYPE=text`), kept as they
   * are; by default 32-character hex ids are turned back into hyphenated UUIDs.
   */
  textIds?: boolean;
  /**
   * The page a reader asks `select` for at once (default 1,000, the handler's default maximum;
   * an `HttpNotificationLogInterface` lowers it to a server's smaller maximum).
   */
  pageSize?: number;
}

/**
 * A `NotificationLog` read through a `NotificationLogInterface` (Python's
 * `NotificationLogJSONClient`): give it to `Follower.follow` or a `NotificationLogReader` to
 * follow an application in another process, over `HttpNotificationLogInterface`. Unlike
 * Python's, `select` honours `stop`, and ids that are text stay text with `textIds`.
 */
export class NotificationLogJSONClient implements NotificationLog {
  /** The interface read. */
  readonly interface: NotificationLogInterface;
  /** Whether originator ids are kept as text. */
  readonly textIds: boolean;
  /** The page a `NotificationLogReader` (and so a `Follower`) asks for at once. */
  readonly selectLimit: number;

  constructor(
    notificationLogInterface: NotificationLogInterface,
    options: NotificationLogJSONClientOptions = {},
  ) {
    this.interface = notificationLogInterface;
    this.textIds = options.textIds ?? false;
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new RangeError(`pageSize must be a positive integer, got ${pageSize}.`);
    }
    this.selectLimit = pageSize;
  }

  /** The section with the given `"first,last"` id. */
  async get(sectionId: string): Promise<Section> {
    return decodeSection(await this.interface.getLogSection(sectionId), { textIds: this.textIds });
  }

  /** Notifications from `start`, at most `limit` (the server may return fewer), up to `stop`. */
  async select(
    start: number | null | undefined,
    limit: number,
    options: SelectNotificationsOptions = {},
  ): Promise<Notification[]> {
    const stop = options.stop ?? null;
    const json = await this.interface.getNotifications(start, limit, {
      topics: options.topics ?? [],
      inclusiveOfStart: options.inclusiveOfStart ?? true,
      stop,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    const notifications = decodeNotifications(json, { textIds: this.textIds });
    // A server that ignores `stop` (Python's) returns more: keep those up to it.
    return stop === null ? notifications : notifications.filter((n) => n.id <= stop);
  }

  /**
   * New notifications with ids greater than `gt`, as the leader records them, when the
   * interface can push them (`HttpNotificationLogInterface`, `NotificationLogJSONService`).
   * The options are the interface's (`HttpSubscribeOptions` over HTTP); `textIds` is this
   * client's.
   */
  subscribe(
    gt: number | null,
    options: Omit<HttpSubscribeOptions, 'textIds'> = {},
  ): NotificationSubscription {
    const source = this.interface as Partial<SubscribableNotificationLogInterface>;
    if (typeof source.subscribe !== 'function') {
      throw new TypeError('This notification log interface has no subscribe().');
    }
    return source.subscribe.call(this.interface, gt, { textIds: this.textIds, ...options });
  }
}
