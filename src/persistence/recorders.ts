import type { Notification, StoredEvent, Tracking } from './stored-event.js';

/** Options of `AggregateRecorder.selectEvents`. */
export interface SelectEventsOptions {
  /** Only versions greater than this. */
  gt?: number | null;
  /** Only versions less than or equal to this. */
  lte?: number | null;
  /** Newest first. */
  desc?: boolean;
  /** At most this many events. */
  limit?: number | null;
}

/**
 * Options of `insertEvents`. `tracking` is recorded atomically with the events by process
 * recorders. Other keys are passed through to custom recorders (Python's `**kwargs`).
 */
export interface InsertEventsOptions {
  /** The upstream position that the events were made from, recorded with them. */
  tracking?: Tracking | null;
  readonly [key: string]: unknown;
}

/** Options of `ApplicationRecorder.selectNotifications`. */
export interface SelectNotificationsOptions {
  /** Only ids less than or equal to this. */
  stop?: number | null;
  /** Only notifications with one of these topics (all topics when empty). */
  topics?: readonly string[];
  /** Whether `start` itself is included (default `true`). */
  inclusiveOfStart?: boolean;
  /**
   * Aborting it makes the read reject with the signal's reason (at once if it already has), so
   * that a caller stops waiting for a read held up by a busy database.
   */
  signal?: AbortSignal;
}

/** Options of `ApplicationRecorder.subscribe`. */
export interface SubscribeOptions {
  /** Only notifications with ids greater than this (from the beginning when null). */
  gt?: number | null;
  /** Only notifications with one of these topics (all topics when empty). */
  topics?: readonly string[];
  /**
   * Aborting it stops the subscription, as `stop()` does: a waiting `next()` resolves
   * `{ done: true }` and nothing is left behind. Already aborted: it yields nothing.
   */
  signal?: AbortSignal;
  /**
   * How many notifications to read per query, and so at most per page of `nextPage()`
   * (default 500). Runners read pages of their batch size.
   */
  batchSize?: number;
}

/** Options of `TrackingRecorder.wait`. */
export interface WaitOptions {
  /** Milliseconds to wait before rejecting with a `TimeoutError` (default 1000). */
  timeout?: number;
  /** Aborting it stops the wait with a `WaitInterruptedError`. */
  signal?: AbortSignal;
}

/**
 * A page of a subscription (see `Subscription.nextPage`): the notifications read, and how far
 * the log has been read, filtered-out notifications included.
 */
export interface SubscriptionPage {
  /** The notifications read, in id order (empty when every one read was filtered out). */
  readonly items: readonly Notification[];
  /**
   * Every notification with an id up to this one has been read, whether or not it matched the
   * topics: the position a reader records as processed once it has processed `items`. At least
   * the last item's id; with a topics filter it may be greater (and advance with no items).
   */
  readonly position: number;
}

/**
 * An async iterable of notifications that waits for new ones until it is stopped. It never skips
 * or repeats a notification. `stop()` ends iteration; so does breaking out of `for await`.
 */
export interface Subscription extends AsyncIterable<Notification>, AsyncDisposable {
  /** Ends the iteration: a waiting `next()` resolves `{ done: true }`. Safe to repeat. */
  stop(): void;
  /**
   * The next page: the notifications buffered or read next (waiting for new ones as `next()`
   * does), with the position read up to, or `null` once stopped. Runners use it to process and
   * commit many notifications at once, and to advance past filtered-out ones. Do not mix it
   * with `next()` on one subscription. Optional: the built-in recorders have it.
   */
  nextPage?(): Promise<SubscriptionPage | null>;
}

/** Anything that holds connections, timers or other resources. */
export interface Closable {
  /** Releases every resource; safe to call more than once. */
  close(): Promise<void>;
  /**
   * Connects and creates tables now rather than on first use, so that bad configuration fails at
   * start-up (`Application.create` calls it). Optional: recorders without I/O need not have it.
   */
  ready?(): Promise<void>;
}

/** Stores and selects the events of aggregates (sequenced by originator id and version). */
export interface AggregateRecorder extends Closable {
  /**
   * Stores the events atomically. A version already stored, or repeated in the batch, rejects
   * with `IntegrityError` and nothing of the batch is stored. Application recorders resolve to
   * the new notification ids in insertion order; aggregate recorders resolve to `null`.
   */
  insertEvents(
    storedEvents: readonly StoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<number[] | null>;
  /** The events of one originator, ordered by version (ascending unless `desc`). */
  selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]>;
}

/** An originator's latest snapshot and its events after that snapshot (see `SnapshotReader`). */
export interface SnapshotAndEvents {
  /** The latest snapshot at or before the version asked for, or `null` if there is none. */
  readonly snapshot: StoredEvent | null;
  /** The events after the snapshot (all of them without one), up to the version, ascending. */
  readonly events: StoredEvent[];
}

/**
 * A recorder that can read an originator's latest snapshot and the events after it together,
 * which saves a round trip to a database server. The repository uses it when its event store's
 * recorder has it; recorders without it are read twice (snapshot, then events).
 */
export interface SnapshotReader {
  /**
   * The latest snapshot in `snapshots` with a version at most `lte` (any version when null),
   * and this recorder's events of the originator after it, up to `lte`. Resolves to `null` when
   * `snapshots` is not a recorder this one can read with (another database, say).
   */
  selectSnapshotAndEvents(
    originatorId: string,
    snapshots: AggregateRecorder,
    lte?: number | null,
  ): Promise<SnapshotAndEvents | null>;
}

/** An aggregate recorder that also sequences every event of the application (notifications). */
export interface ApplicationRecorder extends AggregateRecorder {
  insertEvents(
    storedEvents: readonly StoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<number[]>;
  /**
   * Notifications with ids from `start` (null or undefined: from the beginning) up to `stop`,
   * ascending, at most `limit`.
   */
  selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]>;
  /** The greatest notification id, or `null` when nothing has been recorded. */
  maxNotificationId(): Promise<number | null>;
  /** Notifications after `gt`, waiting for new ones until stopped. */
  subscribe(options?: SubscribeOptions): Subscription;
}

/** Records which notifications of which upstream applications have been processed. */
export interface TrackingRecorder extends Closable {
  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  insertTracking(tracking: Tracking): Promise<void>;
  /** The greatest notification id recorded for the application, or `null`. */
  maxTrackingId(applicationName: string): Promise<number | null>;
  /** Whether the application's notification has been processed (`true` for null). */
  hasTrackingId(applicationName: string, notificationId?: number | null): Promise<boolean>;
  /**
   * Resolves once the notification has been processed; rejects with `TimeoutError` after the
   * timeout, or `WaitInterruptedError` when the signal aborts.
   */
  wait(
    applicationName: string,
    notificationId?: number | null,
    options?: WaitOptions,
  ): Promise<void>;
  /**
   * Runs `fn` (which processes a batch of an upstream application's notifications) as one
   * transaction that ends by recording `tracking` (the batch's last position): the view's
   * writes made while `fn` runs (its `transaction(tracking, …)` commands and `insertTracking`)
   * join that transaction instead of committing one by one: each is checked as if recorded (an
   * `IntegrityError` when its id is not greater than the recorded one or one earlier in the
   * batch). When `fn`, a write of the batch (even one `fn` caught) or the commit fails, nothing
   * of the batch is recorded (in memory, which has no rollback, each write of the batch stays
   * recorded with its own tracking). A `tracking` not greater than the recorded one is an
   * `IntegrityError` and `fn` does not run; one behind a write of the batch is a
   * `ProgrammingError`. Runners call it; a view's commands must not be called by anything else
   * while it runs, and batches of one view do not nest. Optional: the built-in tracking
   * recorders have it (process recorders do not: they record tracking with their events);
   * without it a runner commits one event at a time.
   */
  recordBatch?<T>(tracking: Tracking, fn: () => Promise<T>): Promise<T>;
  /**
   * Empties the view and forgets the tracking of `applicationName`, in one transaction, so that
   * the view can be rebuilt by processing that application's events again from the start. The
   * view's own tables are emptied by its `clear` hook, which a view overrides (the default
   * refuses with a `ProgrammingError` saying so). Other applications' tracking is kept.
   */
  resetTracking?(applicationName: string): Promise<void>;
}

/** An application recorder that also records tracking, atomically with new events. */
export interface ProcessRecorder extends ApplicationRecorder, TrackingRecorder {}
