import { describeValue } from '../utils/describe-value.js';
import type { WakeUpListener, WakeUpSource } from './notification-signal.js';
import {
  type PageCursor,
  type PositionPage,
  PositionPages,
  pagesOfItems,
} from './position-pages.js';
import type { SubscriptionRetry } from './subscription-retry.js';

/** Options of `PositionSubscription`: where it reads, from where, and how it waits. */
export interface PositionSubscriptionOptions<T> {
  /**
   * Reads at most `limit` items with positions greater than `position`, in position order (an
   * empty array when there are none yet). Called once per batch, never concurrently.
   */
  selectAfter: (position: number, limit: number) => Promise<readonly T[]>;
  /**
   * Reads the next page for `nextPage()`: at most `limit` items after `position`, with the
   * position read up to (see `PositionPage`), which may pass skipped items. It must never skip
   * an item that is still to come at a position up to the one it returns. Default: the items
   * of `selectAfter`, up to the last one's position.
   */
  selectPage?: ((position: number, limit: number) => Promise<PositionPage<T>>) | null;
  /** The position of an item (a notification id, a DCB sequence position). */
  positionOf: (item: T) => number;
  /** Only items after this position (from the beginning when null). */
  after?: number | null;
  /** Tells the subscription when new items may exist (inserts, LISTEN/NOTIFY). */
  wakeUp?: WakeUpSource | null;
  /**
   * Milliseconds between polls while waiting, in case a wake-up is lost (a dropped LISTEN
   * connection, a writer in another process). Null: wait for wake-ups only.
   */
  pollInterval?: number | null;
  /** How many items to read per query (default 500). */
  batchSize?: number;
  /** Aborting it stops the subscription, as `stop()` does. */
  signal?: AbortSignal | null;
  /** Retries reads whose failures may pass; without it, any failed read ends the subscription. */
  retry?: SubscriptionRetry | null;
}

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });
const FIRST_RETRY_DELAY = 100;
const DEFAULT_MAX_RETRY_DELAY = 2000;

/**
 * The subscription loop shared by every backend and by anything ordered by an increasing
 * position (application notifications, DCB events): it pulls batches with `selectAfter(last,
 * batchSize)` until a batch is short, then waits until its wake-up source (or its poll timer)
 * says there may be more. It yields every item after `after`, in position order, once each,
 * until `stop()` is called, the signal aborts, the `for await` loop exits, or it is disposed.
 *
 * `stop()` resolves a pending `next()` with `{ done: true }` at once (or, if a query is in
 * flight, as soon as it returns) and removes its listeners and timers, so nothing is left
 * behind. While a `next()` waits, its poll or retry timer keeps the process alive, as a
 * socket being read would; a stopped subscription holds nothing. A failed query stops the
 * subscription and rejects that `next()` with the query's error, unless `retry` says it may pass.
 *
 * `nextPage()` reads the same items a page at a time, with the position read up to (which a
 * custom `selectPage` may move past skipped items). When a page is full, the next page is read
 * while the caller processes this one (one read ahead at most; see `PositionPages`). Use either
 * `next()` or `nextPage()` on one subscription, not both.
 */
export class PositionSubscription<T> implements AsyncIterableIterator<T>, WakeUpListener {
  private readonly selectAfter: (position: number, limit: number) => Promise<readonly T[]>;
  private readonly pages: PositionPages<T>;
  private readonly positionOf: (item: T) => number;
  private readonly wakeUp: WakeUpSource | null;
  private readonly pollInterval: number | null;
  private readonly batchSize: number;
  private readonly signal: AbortSignal | null;
  private readonly retry: SubscriptionRetry | null;
  private last: number;
  private batch: readonly T[] = [];
  private index = 0;
  private stopped = false;
  private listening = false;
  // Starts true so that the first `next()` queries; set by every wake-up.
  private notified = true;
  private retryDelay = FIRST_RETRY_DELAY;
  private resume: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<IteratorResult<T>> | null = null;
  private pending = 0;

  /** @throws TypeError for a bad option, or when there is neither a wake-up source nor polling. */
  constructor(options: PositionSubscriptionOptions<T>) {
    const {
      after = null,
      wakeUp = null,
      pollInterval = null,
      batchSize = 500,
      signal = null,
      retry = null,
    } = options;
    if (after !== null && !Number.isSafeInteger(after)) {
      throw new TypeError(
        `The start position must be an integer or null, not ${describeValue(after)}.`,
      );
    }
    if (pollInterval !== null && !(pollInterval > 0 && pollInterval < 2 ** 31)) {
      throw new TypeError('pollInterval must be a positive number of milliseconds or null.');
    }
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new TypeError(`batchSize must be a positive integer, not ${describeValue(batchSize)}.`);
    }
    if (wakeUp === null && pollInterval === null) {
      throw new TypeError('A subscription needs a wake-up source or a poll interval, or both.');
    }
    if (signal !== null && !(signal instanceof AbortSignal)) {
      throw new TypeError(`signal must be an AbortSignal, not ${describeValue(signal)}.`);
    }
    this.selectAfter = options.selectAfter;
    this.positionOf = options.positionOf;
    const selectPage = options.selectPage ?? pagesOfItems(this.selectAfter, this.positionOf);
    this.pages = new PositionPages(this.pageCursor(), selectPage, batchSize);
    this.wakeUp = wakeUp;
    this.pollInterval = pollInterval;
    this.batchSize = batchSize;
    this.retry = retry;
    this.last = after ?? 0;
    this.signal = signal;
    if (signal?.aborted) this.stopped = true;
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Whether the subscription has been stopped. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** The subscription is its own iterator: iterating it twice continues where it was. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next item, waiting for one if need be; `{ done: true }` once stopped. */
  next(): Promise<IteratorResult<T>> {
    if (this.pending === 0 && !this.stopped && this.index < this.batch.length) {
      return Promise.resolve({ done: false, value: this.batch[this.index++] as T });
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
  async return(): Promise<IteratorResult<T>> {
    this.stop();
    return DONE;
  }

  /** Stops the subscription: pending and later `next()` calls resolve `{ done: true }`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.batch = [];
    this.index = 0;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.listening) {
      this.listening = false;
      this.wakeUp?.removeListener(this);
    }
    this.release();
  }

  /**
   * The next page: the items buffered or read next (waiting for new ones as `next()` does),
   * with the position read up to, or `null` once stopped. Never an empty page unless its
   * position moved past skipped items. A failed read rejects and stops the subscription, as
   * for `next()` (unless `retry` says it may pass). Overlapping calls are served in order.
   */
  nextPage(): Promise<PositionPage<T> | null> {
    return this.pages.next();
  }

  /** Stops the subscription and waits for the queries in flight (a read ahead too) to finish. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    const inFlight = this.inFlight;
    if (inFlight !== null) await inFlight.then(noop, noop);
    await this.pages.settled();
  }

  /** Part of `WakeUpListener`: new items may exist. */
  wake(): void {
    this.notified = true;
    this.release();
  }

  private readonly onAbort = (): void => {
    this.stop();
  };

  private readonly advanceNext = (): Promise<IteratorResult<T>> => this.advance();

  private readonly settled = (): void => {
    this.pending--;
    if (this.pending === 0) this.inFlight = null;
  };

  private async advance(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.stopped) return DONE;
      if (this.index < this.batch.length) {
        return { done: false, value: this.batch[this.index++] as T };
      }
      if (!this.claimNews()) {
        await this.waitFor(this.pollInterval);
        continue;
      }
      let batch: readonly T[];
      try {
        batch = await this.selectAfter(this.last, this.batchSize);
      } catch (error) {
        // Stopped while the query ran (e.g. the recorder was closed): that ends iteration;
        // the query's failure is a consequence, not news for the reader.
        if (this.stopped) return DONE;
        if (await this.retryLater(error)) continue;
        throw error;
      }
      this.retryDelay = FIRST_RETRY_DELAY;
      if (this.stopped) return DONE;
      this.batch = batch;
      this.index = 0;
      if (batch.length > 0) {
        this.last = this.positionOf(batch[batch.length - 1] as T);
        // A full batch means there may be more already: query again when it is used up.
        if (batch.length >= this.batchSize) this.notified = true;
      }
      // Query again if woken while this query ran (its result may predate the insert).
    }
  }

  /**
   * Listens for wake-ups (before querying, so an insert committed during the query is not
   * missed), and says whether there may be news, taking it.
   */
  private claimNews(): boolean {
    if (!this.listening && this.wakeUp !== null) {
      this.listening = true;
      this.wakeUp.addListener(this);
    }
    if (!this.notified) return false;
    this.notified = false;
    return true;
  }

  /** What the pages (`nextPage()`) read through: this subscription's position and waiting. */
  private pageCursor(): PageCursor<T> {
    return {
      isStopped: () => this.stopped,
      position: () => this.last,
      moveTo: (position) => {
        this.last = position;
      },
      takeBuffered: () => {
        if (this.index >= this.batch.length) return null;
        const items = this.batch.slice(this.index);
        this.batch = [];
        this.index = 0;
        return items;
      },
      claimNews: () => this.claimNews(),
      waitForNews: () => this.waitFor(this.pollInterval),
      retryLater: (error) => this.retryLater(error),
      readSucceeded: () => {
        this.retryDelay = FIRST_RETRY_DELAY;
      },
    };
  }

  /**
   * After a failed read (the subscription not stopped): when `retry` says it may pass, reports
   * it, waits the retry delay (or until woken: a LISTEN connection back up) and resolves
   * `true`, to read again; otherwise stops the subscription and resolves `false`.
   */
  private async retryLater(error: unknown): Promise<boolean> {
    if (!this.retry?.isTransient(error)) {
      this.stop();
      return false;
    }
    this.retry.onError(error);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, this.retry.maxDelay ?? DEFAULT_MAX_RETRY_DELAY);
    await this.waitFor(delay);
    this.notified = true;
    return true;
  }

  /** Waits until woken, stopped, or (unless null) `ms` milliseconds have passed. */
  private waitFor(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resume = resolve;
      if (ms !== null) this.timer = setTimeout(this.poll, ms);
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
