import { keepDecoded } from '../persistence/fast/kept-events.js';
import { NotificationSignal } from '../persistence/notification-signal.js';
import { NotificationSubscription } from '../persistence/notification-subscription.js';
import type {
  ApplicationRecorder,
  InsertEventsOptions,
  SelectEventsOptions,
  SelectNotificationsOptions,
  SubscribeOptions,
  Subscription,
} from '../persistence/recorders.js';
import type { Notification, StoredEvent } from '../persistence/stored-event.js';
import {
  checkSelectEvents,
  checkSelectNotifications,
  checkStoredEvents,
} from '../persistence/validation.js';
import { canonicalOriginatorId } from './canonical-originator-id.js';
import { OriginatorIndex } from './originator-index.js';

/**
 * An in-memory application recorder (Python's `POPOApplicationRecorder`): stores events by
 * originator id and version, and sequences them as notifications with contiguous ids from 1.
 * Nothing survives the process.
 *
 * UUID ids are stored and found in lower case, as SQLite and PostgreSQL store them (an
 * upper-case UUID names the same aggregate). Input is checked before anything is stored: a stored event whose `originatorId` is not a
 * string, `originatorVersion` not a safe integer, `topic` not a string or `state` not a
 * `Uint8Array` rejects with `DataError`; other bad arguments reject with `TypeError`. Stored
 * events are frozen copies (the state bytes are copied on insert); `selectEvents` and
 * `selectNotifications` return those stored objects (notifications, which have an `id` too),
 * so treat their `state` bytes as read-only.
 * Each stored event also keeps, out of sight, the domain event the mapper wrote it from, so
 * that the mapper reads it without decoding (`src/persistence/fast/kept-events.ts`).
 *
 * Subscriptions are woken by inserts, with no polling. `close()` stops them; the events stay
 * readable.
 */
export class MemoryApplicationRecorder implements ApplicationRecorder {
  /** Every notification; the one with id `n` is at index `n - 1`. */
  protected readonly notifications: Notification[] = [];
  /** The same notifications, by originator. */
  protected readonly index = new OriginatorIndex<Notification>();
  /** Wakes the subscriptions after each insert. */
  protected readonly signal = new NotificationSignal();

  /**
   * Stores the events atomically and resolves to their notification ids, in order. A version
   * already stored, or repeated in the batch, rejects with `IntegrityError` and stores nothing
   * of the batch.
   */
  async insertEvents(
    storedEvents: readonly StoredEvent[],
    _options?: InsertEventsOptions,
  ): Promise<number[]> {
    const batch = this.prepare(storedEvents);
    this.index.checkUnique(batch);
    return this.commit(batch);
  }

  /** The events of one originator, ordered by version (ascending unless `desc`). */
  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    checkSelectEvents(originatorId, options);
    return this.index.select(canonicalOriginatorId(originatorId), options);
  }

  /**
   * Notifications from `start` (null or undefined: from 1; below 1: clamped to 1), exclusive
   * of `start` when `inclusiveOfStart` is false, up to `stop`, with one of `topics` if any are
   * given, ascending, at most `limit`.
   */
  async selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]> {
    checkSelectNotifications(start, limit, options);
    const stop = options?.stop;
    const topics = options?.topics;
    let first = start === null || start === undefined ? 1 : start;
    if (start !== null && start !== undefined && options?.inclusiveOfStart === false) first++;
    if (first < 1) first = 1;
    const notifications = this.notifications;
    const end =
      stop === null || stop === undefined
        ? notifications.length
        : Math.min(stop, notifications.length);
    if (topics === undefined || topics.length === 0) {
      // Ids are positions, so a range is a slice.
      return first > end ? [] : notifications.slice(first - 1, Math.min(end, first - 1 + limit));
    }
    const wanted = new Set(topics);
    const result: Notification[] = [];
    for (let i = first - 1; i < end && result.length < limit; i++) {
      const notification = notifications[i]!;
      if (wanted.has(notification.topic)) result.push(notification);
    }
    return result;
  }

  /** The greatest notification id, or `null` when nothing has been recorded. */
  async maxNotificationId(): Promise<number | null> {
    return this.notifications.length === 0 ? null : this.notifications.length;
  }

  /**
   * Notifications with ids greater than `gt` (from the beginning when null), with one of
   * `topics` if any are given, in order, then new ones as they are inserted, until stopped.
   *
   * @throws TypeError for a bad option (synchronously: this method returns no Promise).
   */
  subscribe(options?: SubscribeOptions): Subscription {
    return new NotificationSubscription(this, {
      gt: options?.gt ?? null,
      topics: options?.topics ?? [],
      signal: options?.signal,
      batchSize: options?.batchSize,
      wakeUp: this.signal,
    });
  }

  /** How many subscriptions are listening (lets tests check that none is left behind). */
  get listenerCount(): number {
    return this.signal.size;
  }

  /** Stops every subscription; the events stay readable. Safe to call more than once. */
  async close(): Promise<void> {
    this.signal.close();
  }

  /**
   * Checks the batch and turns it into frozen notifications with the ids they will have, with
   * their state bytes copied. Changes nothing.
   */
  protected prepare(storedEvents: readonly StoredEvent[]): Notification[] {
    checkStoredEvents(storedEvents);
    const n = storedEvents.length;
    const base = this.notifications.length + 1;
    const batch = new Array<Notification>(n);
    for (let i = 0; i < n; i++) {
      const event = storedEvents[i]!;
      batch[i] = Object.freeze(
        keepDecoded(
          {
            id: base + i,
            originatorId: canonicalOriginatorId(event.originatorId),
            originatorVersion: event.originatorVersion,
            topic: event.topic,
            state: event.state.slice(),
          },
          event,
        ),
      );
    }
    return batch;
  }

  /** Stores a checked batch, wakes the subscriptions, and returns the ids. */
  protected commit(batch: readonly Notification[]): number[] {
    const n = batch.length;
    const ids = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const notification = batch[i]!;
      this.notifications.push(notification);
      this.index.add(notification);
      ids[i] = notification.id;
    }
    if (n > 0) this.signal.notify();
    return ids;
  }
}
