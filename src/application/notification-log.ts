import type { ApplicationRecorder, SelectNotificationsOptions } from '../persistence/recorders.js';
import type { Notification } from '../persistence/stored-event.js';
import { formatSectionId } from './format-section-id.js';

/**
 * A page of an application's notification log. `id` is `"first,last"` of the notifications it
 * holds (null when empty); `nextId` is the id of the next section, when this one is full.
 */
export interface Section {
  /** The section's id, `"first,last"` of the ids it holds; null when it holds none. */
  readonly id: string | null;
  /** The notifications, in order. */
  readonly items: readonly Notification[];
  /** The id of the next section when this one is full, else null. */
  readonly nextId: string | null;
}

/** Reads an application's notifications in order, by sections or by position. */
export interface NotificationLog {
  /** The section with the given `"first,last"` id. */
  get(sectionId: string): Promise<Section>;
  /**
   * Notifications from `start`, at most `limit`, and never more than a section holds (a larger
   * limit is clamped, or rejected where the log is strict, as Python's is).
   */
  select(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]>;
  /**
   * The limit `select` is best asked with, when it is more than a reader's section size: a
   * remote log (`NotificationLogJSONClient`) reads pages of 1,000 in one request each, and a
   * `NotificationLogReader` asks for this many at once. Absent for local logs.
   */
  readonly selectLimit?: number;
  /**
   * New notifications with ids greater than `gt`, pushed as the leader records them, until
   * stopped. Optional: a remote log that can push (`NotificationLogJSONClient` over a server
   * with a stream) has it; runners following the log use it to be woken instead of polling.
   */
  subscribe?(gt: number | null, options?: NotificationLogSubscribeOptions): NotificationPushes;
}

/** Options of `NotificationLog.subscribe`. */
export interface NotificationLogSubscribeOptions {
  /** Only notifications with one of these topics (all when empty or absent). */
  topics?: readonly string[];
  /** Aborting it ends the iteration, as `stop()` does. */
  signal?: AbortSignal;
}

/** What `NotificationLog.subscribe` returns: new notifications, in order, until `stop()`. */
export interface NotificationPushes extends AsyncIterable<Notification> {
  /** Ends the iteration and leaves nothing open. Safe to repeat. */
  stop(): void;
}

/** Options of `LocalNotificationLog`. */
export interface LocalNotificationLogOptions {
  /**
   * Whether `select` rejects a limit above the section size with a `RangeError`, as Python's
   * `LocalNotificationLog.select` does, instead of clamping it (default:
   * `LocalNotificationLog.strictLimit`, which is `false`).
   */
  strictLimit?: boolean;
}

/**
 * The notification log of an application, read from its recorder. `select(start, limit)` with a
 * limit above the section size returns at most a section (a clamp, as Node pagination APIs
 * do); set `strictLimit` for Python's `RangeError` instead.
 */
export class LocalNotificationLog implements NotificationLog {
  /**
   * The default of the `strictLimit` option for logs made without it: set it to `true` to have
   * every application's log reject a limit above the section size, as Python's does.
   */
  static strictLimit = false;

  /** The most notifications a section or a `select` returns. */
  readonly sectionSize: number;
  /** Whether `select` rejects a limit above the section size instead of clamping it. */
  readonly strictLimit: boolean;
  private readonly recorder: ApplicationRecorder;

  constructor(
    recorder: ApplicationRecorder,
    sectionSize = 10,
    options: LocalNotificationLogOptions = {},
  ) {
    if (!Number.isInteger(sectionSize) || sectionSize < 1) {
      throw new RangeError(`Section size must be a positive integer, got ${sectionSize}`);
    }
    this.recorder = recorder;
    this.sectionSize = sectionSize;
    this.strictLimit = options.strictLimit ?? LocalNotificationLog.strictLimit;
  }

  async get(sectionId: string): Promise<Section> {
    const [first, last] = parseSectionId(sectionId);
    const start = Math.max(1, first);
    const limit = Math.min(Math.max(0, last - start + 1), this.sectionSize);
    const items = limit > 0 ? await this.recorder.selectNotifications(start, limit) : [];
    const firstItem = items[0];
    const lastItem = items[items.length - 1];
    if (firstItem === undefined || lastItem === undefined) return { id: null, items, nextId: null };
    const nextStart = lastItem.id + 1;
    return {
      id: formatSectionId(firstItem.id, lastItem.id),
      items,
      nextId: items.length === limit ? formatSectionId(nextStart, nextStart + limit - 1) : null,
    };
  }

  /**
   * Notifications from `start`, at most `limit`, and at most `sectionSize`: a larger limit is
   * clamped to the section size, or rejected with a `RangeError` when `strictLimit` is set.
   * Read on from the last id returned to get the rest.
   */
  async select(
    start: number | null | undefined,
    limit: number,
    options: SelectNotificationsOptions = {},
  ): Promise<Notification[]> {
    if (limit > this.sectionSize) {
      if (this.strictLimit) {
        throw new RangeError(
          `Requested limit ${limit} greater than section size ${this.sectionSize}. ` +
            `Ask for at most ${this.sectionSize}, or set the application's logSectionSize.`,
        );
      }
      limit = this.sectionSize;
    }
    return this.recorder.selectNotifications(start, limit, options);
  }
}

function parseSectionId(sectionId: string): [number, number] {
  const parts = typeof sectionId === 'string' ? sectionId.split(',') : [];
  const first = Number(parts[0]);
  const last = Number(parts[1]);
  if (parts.length !== 2 || !Number.isInteger(first) || !Number.isInteger(last)) {
    throw new RangeError(
      `Invalid section id ${JSON.stringify(sectionId)}: expected "first,last", e.g. "1,10"`,
    );
  }
  return [first, last];
}
