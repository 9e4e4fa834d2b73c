import type { WakeUpListener, WakeUpSource } from './notification-signal.js';
import type { SelectNotificationsOptions, Subscription } from './recorders.js';
import type { Notification } from './stored-event.js';
import { checkOptionalInteger, checkTopics, describe } from './validation.js';

/** What a `NotificationSubscription` reads from: any application recorder. */
export interface NotificationSelector {
  selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]>;
}

/** Options of `NotificationSubscription`. */
export interface NotificationSubscriptionOptions {
  /** Only notifications with ids greater than this (from the beginning when null). */
  gt?: number | null;
  /** Only notifications with one of these topics (all topics when empty). */
  topics?: readonly string[];
  /** Tells the subscription when new notifications may exist (inserts, LISTEN/NOTIFY). */
  wakeUp?: WakeUpSource | null;
  /**
   * Milliseconds between polls while waiting, in case a wake-up is lost (a dropped LISTEN
   * connection, a writer in another process). Null: wait for wake-ups only.
   */
  pollInterval?: number | null;
  /** How many notifications to read per query (default 500). */
  batchSize?: number;
}

const DONE: IteratorResult<Notification> = Object.freeze({ done: true, value: undefined });

/**
 * A subscription to an application recorder's notifications, shared by the persistence
 * modules: it pulls batches with `selectNotifications(last, batchSize, { inclusiveOfStart:
 * false, topics })` until a batch is short, then waits until its wake-up source (or its poll
 * timer) says there may be more. It yields every notification after `gt`, in id order, once
 * each, until `stop()` is called, the `for await` loop exits, or it is disposed.
 *
 * `stop()` resolves a pending `next()` with `{ done: true }` at once (or, if a query is in
 * flight, as soon as it returns) and removes the listener, so nothing is left behind. A failed
 * query stops the subscription and rejects that `next()` with the query's error.
 */
export class NotificationSubscription
  implements Subscription, AsyncIterator<Notification>, WakeUpListener
{
  private readonly source: NotificationSelector;
  private readonly wakeUp: WakeUpSource | null;
  private readonly pollInterval: number | null;
  private readonly batchSize: number;
  private readonly selectOptions: SelectNotificationsOptions;
  private last: number;
  private batch: Notification[] = [];
  private position = 0;
  private stopped = false;
  private listening = false;
  // Starts true so that the first `next()` queries; set by every wake-up.
  private notified = true;
  private resume: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<IteratorResult<Notification>> | null = null;

  /** @throws TypeError for a bad option, or when there is neither a wake-up source nor polling. */
  constructor(source: NotificationSelector, options: NotificationSubscriptionOptions = {}) {
    const { gt, topics = [], wakeUp = null, pollInterval = null, batchSize = 500 } = options;
    checkOptionalInteger('gt', gt);
    checkTopics(topics);
    if (pollInterval !== null && !(pollInterval > 0 && pollInterval < 2 ** 31)) {
      throw new TypeError(`pollInterval must be a positive number of milliseconds or null.`);
    }
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new TypeError(`batchSize must be a positive integer, not ${describe(batchSize)}.`);
    }
    if (wakeUp === null && pollInterval === null) {
      throw new TypeError('A subscription needs a wake-up source or a poll interval, or both.');
    }
    this.source = source;
    this.wakeUp = wakeUp;
    this.pollInterval = pollInterval;
    this.batchSize = batchSize;
    this.selectOptions = { inclusiveOfStart: false, topics: [...topics] };
    this.last = gt ?? 0;
  }

  /** Whether the subscription has been stopped. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** The subscription is its own iterator: iterating it twice continues where it was. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next notification, waiting for one if need be; `{ done: true }` once stopped. */
  next(): Promise<IteratorResult<Notification>> {
    if (this.pending === 0 && !this.stopped && this.position < this.batch.length) {
      return Promise.resolve({ done: false, value: this.batch[this.position++]! });
    }
    // Calls that overlap are served one after the other, so none skips or repeats.
    const tail = this.inFlight;
    const result = tail === null ? this.advance() : tail.then(this.advanceNext, this.advanceNext);
    this.inFlight = result;
    this.pending++;
    result.then(this.settled, this.settled);
    return result;
  }

  /** Stops the subscription (called when a `for await` loop exits early). */
  async return(): Promise<IteratorResult<Notification>> {
    this.stop();
    return DONE;
  }

  /** Stops the subscription: pending and later `next()` calls resolve `{ done: true }`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.batch = [];
    this.position = 0;
    if (this.listening) {
      this.listening = false;
      this.wakeUp?.removeListener(this);
    }
    this.release();
  }

  /** Stops the subscription and waits for a query in flight to finish. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    const inFlight = this.inFlight;
    if (inFlight !== null) await inFlight.then(noop, noop);
  }

  /** Part of `WakeUpListener`: new notifications may exist. */
  wake(): void {
    this.notified = true;
    this.release();
  }

  private pending = 0;

  private readonly advanceNext = (): Promise<IteratorResult<Notification>> => this.advance();

  private readonly settled = (): void => {
    this.pending--;
    if (this.pending === 0) this.inFlight = null;
  };

  private async advance(): Promise<IteratorResult<Notification>> {
    for (;;) {
      if (this.stopped) return DONE;
      if (this.position < this.batch.length) {
        return { done: false, value: this.batch[this.position++]! };
      }
      if (!this.listening && this.wakeUp !== null) {
        // Listen before querying, so an insert committed during the query is not missed.
        this.listening = true;
        this.wakeUp.addListener(this);
      }
      if (this.notified) {
        this.notified = false;
        let batch: Notification[];
        try {
          batch = await this.source.selectNotifications(
            this.last,
            this.batchSize,
            this.selectOptions,
          );
        } catch (error) {
          // Stopped while the query ran (e.g. the recorder was closed): that ends iteration;
          // the query's failure is a consequence, not news for the reader.
          if (this.stopped) return DONE;
          this.stop();
          throw error;
        }
        if (this.stopped) return DONE;
        this.batch = batch;
        this.position = 0;
        if (batch.length > 0) {
          this.last = batch[batch.length - 1]!.id;
          // A full batch means there may be more already: query again when it is used up.
          if (batch.length >= this.batchSize) this.notified = true;
        }
        // Query again if woken while this query ran (its result may predate the insert).
        continue;
      }
      await this.waitForWakeUp();
    }
  }

  private waitForWakeUp(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resume = resolve;
      if (this.pollInterval !== null) this.timer = setTimeout(this.poll, this.pollInterval);
    });
  }

  private readonly poll = (): void => {
    this.timer = null;
    this.notified = true;
    this.release();
  };

  private release(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const resume = this.resume;
    if (resume !== null) {
      this.resume = null;
      resume();
    }
  }
}

function noop(): void {}
