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
