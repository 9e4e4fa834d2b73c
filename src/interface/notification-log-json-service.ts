import type { NotificationLog } from '../application/notification-log.js';
import type { ApplicationRecorder } from '../persistence/recorders.js';
import type {
  GetLogSectionOptions,
  GetNotificationsOptions,
  NotificationSubscription,
  SubscribableNotificationLogInterface,
  SubscribeNotificationsOptions,
} from './notification-log-interface.js';
import { encodeNotifications, encodeSection } from './wire-format.js';

/** What `NotificationLogJSONService` serves: an application (its log and recorder). */
export interface NotificationLogSource {
  /** The application's notification log: sections are read from it. */
  readonly notificationLog: NotificationLog;
  /** The application's recorder: selections are read from it, in pages up to `maxLimit`. */
  readonly recorder: ApplicationRecorder;
}

/** Options of `NotificationLogJSONService`. */
export interface NotificationLogJSONServiceOptions {
  /**
   * The most notifications `getNotifications` returns at once (default 1,000): a larger limit
   * is clamped to it (the reader asks again from the last id).
   */
  maxLimit?: number;
}

/**
 * Serves an application's notification log as the Python library's JSON (Python's
 * `NotificationLogJSONService`): sections from its `notificationLog`, selections from its
 * recorder. The states are served as recorded: an application that encrypts its events serves
 * ciphertext, and the service never needs the key. `subscribe` (the handler's streaming
 * endpoint) is the recorder's `subscribe`.
 */
export class NotificationLogJSONService implements SubscribableNotificationLogInterface {
  /** The application served. */
  readonly app: NotificationLogSource;
  /** The most notifications `getNotifications` returns at once. */
  readonly maxLimit: number;

  constructor(app: NotificationLogSource, options: NotificationLogJSONServiceOptions = {}) {
    const maxLimit = options.maxLimit ?? 1000;
    if (!Number.isSafeInteger(maxLimit) || maxLimit < 1) {
      throw new RangeError(`maxLimit must be a positive integer, got ${maxLimit}.`);
    }
    this.app = app;
    this.maxLimit = maxLimit;
  }

  /** The JSON of a section: `{"id", "next_id", "items"}`. */
  async getLogSection(sectionId: string, _options: GetLogSectionOptions = {}): Promise<string> {
    return encodeSection(await this.app.notificationLog.get(sectionId));
  }

  /** The JSON array of at most `limit` (and `maxLimit`) notifications from `start`. */
  async getNotifications(
    start: number | null | undefined,
    limit: number,
    options: GetNotificationsOptions = {},
  ): Promise<string> {
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(`limit must be a non-negative integer, got ${limit}.`);
    }
    if (limit === 0) return '[]';
    const notifications = await this.app.recorder.selectNotifications(
      start,
      Math.min(limit, this.maxLimit),
      {
        topics: options.topics ?? [],
        inclusiveOfStart: options.inclusiveOfStart ?? true,
        stop: options.stop ?? null,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      },
    );
    return encodeNotifications(notifications);
  }

  /**
   * The notifications with ids greater than `gt` (all when null), of the `topics`, as they are
   * recorded: the application recorder's `subscribe`.
   */
  subscribe(
    gt: number | null,
    options: SubscribeNotificationsOptions = {},
  ): NotificationSubscription {
    return this.app.recorder.subscribe({
      gt,
      topics: options.topics ?? [],
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  }
}
