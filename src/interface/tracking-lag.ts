/**
 * How far a reader of an application's log (a projection's view, a follower) is behind it:
 * one row of `StoreInspector.lag()`.
 */
export interface TrackingLag {
  /**
   * The reader's name: the name given (`--projection Counters`), else what its tracking table
   * says (`counters` from PostgreSQL's `counters_tracking`), else the table's name.
   */
  readonly name: string;
  /** `projection` or `follower` when given as such; `tracking` when found by looking. */
  readonly kind: 'projection' | 'follower' | 'tracking';
  /** Where its tracking is recorded: the table, and the database when it is another one. */
  readonly where: string;
  /** The application whose log it reads. */
  readonly applicationName: string;
  /** The last notification id it has processed, or null when it has processed none. */
  readonly position: number | null;
  /** The application's last notification id, or null when its log is empty. */
  readonly head: number | null;
  /**
   * Notification ids after the position up to the head (0 when caught up): an upper bound of
   * the events still to process, since ids may have gaps and readers may skip topics.
   */
  readonly eventsBehind: number;
  /** The timestamp of the first event after the position, or null when none (or unknown). */
  readonly oldestUnprocessedAt: Date | null;
  /**
   * Seconds from `oldestUnprocessedAt` to now: how stale the reader's data may be; 0 when
   * caught up, null when there are events behind whose timestamp could not be read.
   */
  readonly ageSeconds: number | null;
}
