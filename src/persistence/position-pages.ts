/** A page read by `PositionSubscription.nextPage`: the items, and the position read up to. */
export interface PositionPage<T> {
  /** The items read, in position order (empty when every one read was skipped). */
  readonly items: readonly T[];
  /**
   * Every item up to this position has been read, skipped ones included: at least the last
   * item's position, and more when items after it were skipped (notifications filtered out).
   */
  readonly position: number;
}

/**
 * Reads at most `limit` items after `position`, with the position read up to.
 *
 * @internal
 */
export type SelectPage<T> = (position: number, limit: number) => Promise<PositionPage<T>>;

/**
 * What `PositionPages` reads through: its subscription's position, waiting and retrying, so
 * that pages and single items (`next()`) share them.
 *
 * @internal
 */
export interface PageCursor<T> {
  /** Whether the subscription has been stopped. */
  isStopped(): boolean;
  /** The position read up to. */
  position(): number;
  /** Moves the position read up to. */
  moveTo(position: number): void;
  /** Takes the items that `next()` read and left, or `null` when there are none. */
  takeBuffered(): readonly T[] | null;
  /**
   * Listens for wake-ups, and says whether there may be news (taking it): if not, wait with
   * `waitForNews()` and ask again.
   */
  claimNews(): boolean;
  /** Waits until woken, stopped, or polled. */
  waitForNews(): Promise<void>;
  /** After a failed read: `true` to read again (after the retry delay), `false` to give up. */
  retryLater(error: unknown): Promise<boolean>;
  /** A read succeeded (the retry delay starts over). */
  readSucceeded(): void;
}

/** What a page read came to: a page, or the read's failure (kept until it is awaited). */
type PageRead<T> =
  | { readonly ok: true; readonly page: PositionPage<T> }
  | { readonly ok: false; readonly error: unknown };

/**
 * The pages of a `PositionSubscription` (its `nextPage()`): reads `selectPage` after the
 * position read up to, waiting for news as `next()` does. When a page is full, the next page is
 * read while the caller processes this one (one read ahead at most). Overlapping calls are
 * served in order.
 *
 * @internal
 */
export class PositionPages<T> {
  private inFlight: Promise<PositionPage<T> | null> | null = null;
  private ahead: Promise<PageRead<T>> | null = null;

  constructor(
    private readonly cursor: PageCursor<T>,
    private readonly selectPage: SelectPage<T>,
    private readonly batchSize: number,
  ) {}

  /** The next page, or `null` once stopped (see `PositionSubscription.nextPage`). */
  next(): Promise<PositionPage<T> | null> {
    const tail = this.inFlight;
    const result = tail === null ? this.read() : tail.then(this.readNext, this.readNext);
    this.inFlight = result;
    const settled = (): void => {
      if (this.inFlight === result) this.inFlight = null;
    };
    result.then(settled, settled);
    return result;
  }

  /** Resolves once the reads in flight (a read ahead too) have finished. */
  async settled(): Promise<void> {
    const page = this.inFlight;
    if (page !== null) await page.then(noop, noop);
    const ahead = this.ahead;
    if (ahead !== null) await ahead;
  }

  private readonly readNext = (): Promise<PositionPage<T> | null> => this.read();

  private async read(): Promise<PositionPage<T> | null> {
    const cursor = this.cursor;
    for (;;) {
      if (cursor.isStopped()) return null;
      const buffered = cursor.takeBuffered();
      // Items that next() read and left: the position read up to is the last one's.
      if (buffered !== null) return { items: buffered, position: cursor.position() };
      let read: PageRead<T>;
      const ahead = this.ahead;
      if (ahead !== null) {
        // Listening already: the read that started it did.
        this.ahead = null;
        read = await ahead;
      } else {
        if (!cursor.claimNews()) {
          await cursor.waitForNews();
          continue;
        }
        read = await this.readFromLast();
      }
      if (cursor.isStopped()) return null;
      if (!read.ok) {
        if (await cursor.retryLater(read.error)) continue;
        throw read.error;
      }
      cursor.readSucceeded();
      const { items, position } = read.page;
      if (items.length === 0 && position <= cursor.position()) continue;
      if (position > cursor.position()) cursor.moveTo(position);
      if (items.length >= this.batchSize) {
        // A full page means there may be more already: read it while this one is processed.
        this.ahead = this.readFromLast();
      }
      // Query again next time if woken while this query ran (its result may predate the insert).
      return { items, position: cursor.position() };
    }
  }

  /** Reads the page after the position, keeping a failure as a value (a read ahead may be dropped). */
  private readFromLast(): Promise<PageRead<T>> {
    let page: Promise<PositionPage<T>>;
    try {
      page = this.selectPage(this.cursor.position(), this.batchSize);
    } catch (error) {
      return Promise.resolve({ ok: false, error });
    }
    return page.then(
      (value) => ({ ok: true, page: value }),
      (error: unknown) => ({ ok: false, error }),
    );
  }
}

/**
 * The default `selectPage`: the items of `selectAfter`, up to the last one's position.
 *
 * @internal
 */
export function pagesOfItems<T>(
  selectAfter: (position: number, limit: number) => Promise<readonly T[]>,
  positionOf: (item: T) => number,
): SelectPage<T> {
  return async (position, limit) => {
    const items = await selectAfter(position, limit);
    const n = items.length;
    return { items, position: n > 0 ? positionOf(items[n - 1] as T) : position };
  };
}

function noop(): void {}
