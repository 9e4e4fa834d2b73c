import type { TrackingLag } from '../interface/tracking-lag.js';

/**
 * A reader of the application's log (a projection's view, a follower) and how far behind it
 * is: a `StoreInspector`'s `TrackingLag` as JSON.
 */
export interface BrowserLag {
  /** The reader's name (the projection, the following application, or its tracking table). */
  readonly name: string;
  /** `projection` or `follower` when given as such; `tracking` when found by looking. */
  readonly kind: 'projection' | 'follower' | 'tracking';
  /** Where its tracking is recorded: the table, and the database when it is another one. */
  readonly where: string;
  /** The application whose log it reads. */
  readonly applicationName: string;
  /** The last notification id it has processed, or `null` when it has processed none. */
  readonly position: number | null;
  /** The application's last notification id, or `null` when its log is empty. */
  readonly head: number | null;
  /** Notification ids after the position up to the head (0 when caught up). */
  readonly eventsBehind: number;
  /** When the first event after the position happened (ISO 8601), or `null`. */
  readonly oldestUnprocessedAt: string | null;
  /** Seconds since then (0 when caught up; `null` when not known). */
  readonly ageSeconds: number | null;
}

/**
 * A reader's lag as the JSON API gives it.
 *
 * @internal
 */
export function toBrowserLag(lag: TrackingLag): BrowserLag {
  return {
    name: lag.name,
    kind: lag.kind,
    where: lag.where,
    applicationName: lag.applicationName,
    position: lag.position,
    head: lag.head,
    eventsBehind: lag.eventsBehind,
    oldestUnprocessedAt:
      lag.oldestUnprocessedAt === null || Number.isNaN(lag.oldestUnprocessedAt.getTime())
        ? null
        : lag.oldestUnprocessedAt.toISOString(),
    ageSeconds: lag.ageSeconds,
  };
}
