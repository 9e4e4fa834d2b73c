import { formatSectionId } from '../application/format-section-id.js';
import type { NotificationLog } from '../application/notification-log.js';
import type { Notification } from '../persistence/stored-event.js';

/** Options of `NotificationLogReader.select`. */
export interface NotificationLogSelectOptions {
  /** The first notification id to read (excluded when `inclusiveOfStart` is false). */
  start: number;
  /** The last notification id to read (no limit when null or absent). */
  stop?: number | null;
  /** Only notifications with one of these topics (all when empty or absent). */
  topics?: readonly string[];
  /** Whether `start` itself is read (default `true`). */
  inclusiveOfStart?: boolean;
}

/**
 * Reads a notification log (local, or another process's over a client) in order (Python's
 * `NotificationLogReader`): `read` follows its sections one notification at a time, `select`
 * gives batches of at most `selectLimit` until the log has no more: the log's own
 * `selectLimit` when it has one (a remote log's page, e.g. 1,000, read in one request), else
 * `sectionSize`.
 */
export class NotificationLogReader {
  /** The log read. */
  readonly notificationLog: NotificationLog;
  /** The most notifications asked for at once. */
  readonly sectionSize: number;
  /** The most notifications `select` asks for at once. */
  readonly selectLimit: number;

  constructor(notificationLog: NotificationLog, sectionSize = 10) {
    if (!Number.isInteger(sectionSize) || sectionSize < 1) {
      throw new RangeError(`Section size must be a positive integer, got ${sectionSize}.`);
    }
    this.notificationLog = notificationLog;
    this.sectionSize = sectionSize;
    const preferred = notificationLog.selectLimit;
    this.selectLimit =
      preferred !== undefined && Number.isSafeInteger(preferred) && preferred > sectionSize
        ? preferred
        : sectionSize;
  }

  /** The notifications from `start` (inclusive), section by section, following `nextId`. */
  async *read(options: { start: number }): AsyncGenerator<Notification> {
    let sectionId: string | null = formatSectionId(
      options.start,
      options.start + this.sectionSize - 1,
    );
    while (sectionId !== null) {
      const section = await this.notificationLog.get(sectionId);
      for (const item of section.items) yield item;
      sectionId = section.nextId;
    }
  }

  /**
   * Batches of notifications from `start` up to `stop`, of the `topics` when given, each of at
   * most `selectLimit`, until a read finds none.
   */
  async *select(options: NotificationLogSelectOptions): AsyncGenerator<Notification[]> {
    let start = options.start;
    let inclusiveOfStart = options.inclusiveOfStart ?? true;
    const stop = options.stop ?? null;
    const topics = options.topics ?? [];
    for (;;) {
      const batch = await this.notificationLog.select(start, this.selectLimit, {
        stop,
        topics,
        inclusiveOfStart,
      });
      const last = batch[batch.length - 1];
      if (last === undefined) return;
      yield batch;
      start = last.id;
      inclusiveOfStart = false;
    }
  }
}
