import type { Application } from '../application/application.js';
import type { TrackingRecorder } from '../persistence/recorders.js';

/** How far a projection is behind its upstream application (see `ProjectionRunner.lag`). */
export interface ProjectionLag {
  /** The upstream application's name. */
  readonly applicationName: string;
  /** The last upstream notification id the view has recorded, or null when it has none. */
  readonly position: number | null;
  /** The upstream application's last notification id, or null when its log is empty. */
  readonly head: number | null;
  /**
   * How many notification ids lie after the position up to the head (0 when caught up). Ids
   * may have gaps, so it is an upper bound of the events still to process.
   */
  readonly events: number;
  /**
   * When the oldest unprocessed event (the first one after the position, among the
   * projection's topics) happened: its `timestamp`, or null when there is none or it has no
   * `Date` timestamp. How old the view's data may be.
   */
  readonly oldestUnprocessedAt: Date | null;
}

/**
 * Reads the lag of a view tracking `app`: its position, the log's head, and the timestamp of
 * the first event after the position with one of `topics` (any topic when empty).
 *
 * @internal
 */
export async function readLag(
  app: Application,
  view: TrackingRecorder,
  topics: readonly string[],
): Promise<ProjectionLag> {
  const applicationName = app.name;
  const position = await view.maxTrackingId(applicationName);
  const head = await app.recorder.maxNotificationId();
  const events = Math.max(0, (head ?? 0) - (position ?? 0));
  let oldestUnprocessedAt: Date | null = null;
  if (events > 0) {
    const start = position === null ? null : position + 1;
    const [first] = await app.recorder.selectNotifications(start, 1, { topics, stop: head });
    if (first !== undefined) {
      const timestamp = (app.mapper.toDomainEvent(first) as { timestamp?: unknown }).timestamp;
      if (timestamp instanceof Date) oldestUnprocessedAt = timestamp;
    }
  }
  return { applicationName, position, head, events, oldestUnprocessedAt };
}
