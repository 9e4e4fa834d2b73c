import { DataError } from '../persistence/errors.js';

/** How a `DCBAppendCombiner` sends appends (the recorder's two ways of writing). */
export interface DCBAppendSender<A> {
  /** Sends one append alone (the plain path): resolves to its position, or rejects. */
  sendOne(append: A): Promise<number>;
  /**
   * Sends several appends in one call that takes the table lock once and checks each
   * condition in order: resolves to each append's position or error, in order; rejects only
   * when the call as a whole failed (nothing of it was stored).
   */
  sendMany(appends: readonly A[]): Promise<Array<number | Error>>;
  /** How many events an append holds (to bound the size of one call). */
  eventCount(append: A): number;
}

/** One append waiting to be sent, and how to settle it. */
interface PendingAppend<A> {
  readonly append: A;
  readonly resolve: (position: number) => void;
  readonly reject: (error: unknown) => void;
}

/** Bounds on one call, so that a burst is sent as several calls of reasonable size. */
const MAX_CALL_APPENDS = 1000;
const MAX_CALL_EVENTS = 20_000;

/**
 * Combines concurrent DCB appends of one process (the speed machinery of the PostgreSQL DCB
 * recorder, off with `fastPaths: false` or `EVENTSOURCING_FAST_PATHS=no`): with no call in
 * flight, an append is sent at once (at the end of the current microtask queue, alone, by the
 * plain path); appends that arrive while a call is in flight are queued and sent together as the
 * next call, so that 64 appends in flight cost a few lock acquisitions and round trips instead of
 * 64 of each. Each append still succeeds or fails alone: the batch function checks each
 * condition against what is stored plus what the earlier appends of the same call inserted.
 */
export class DCBAppendCombiner<A> {
  /** How many calls have been sent (fewer than appends under load). */
  calls = 0;
  private readonly sender: DCBAppendSender<A>;
  private queue: PendingAppend<A>[] = [];
  private running: Promise<void> | null = null;

  constructor(sender: DCBAppendSender<A>) {
    this.sender = sender;
  }

  /** Queues an append; resolves to its last position. */
  enqueue(append: A): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      if (this.running === null) this.running = this.run();
    });
  }

  /** Resolves when every queued append has been settled. */
  async drain(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async run(): Promise<void> {
    try {
      // Appends made in the same tick (Promise.all) go together; nothing waits on a timer.
      await undefined;
      while (this.queue.length > 0) await this.send(this.takeGroup());
    } finally {
      this.running = null;
    }
  }

  private takeGroup(): PendingAppend<A>[] {
    const queue = this.queue;
    let count = 0;
    let events = 0;
    // The first append always goes: one that is large by itself is sent alone.
    while (count < queue.length && count < MAX_CALL_APPENDS) {
      const size = this.sender.eventCount(queue[count]!.append);
      if (count > 0 && events + size > MAX_CALL_EVENTS) break;
      events += size;
      count++;
    }
    this.queue = queue.slice(count);
    return queue.slice(0, count);
  }

  /** Sends one group and settles each of its appends; never rejects. */
  private async send(group: PendingAppend<A>[]): Promise<void> {
    this.calls++;
    if (group.length === 1) {
      const only = group[0]!;
      await this.sender.sendOne(only.append).then(only.resolve, only.reject);
      return;
    }
    let outcomes: Array<number | Error>;
    try {
      outcomes = await this.sender.sendMany(group.map((p) => p.append));
    } catch (error) {
      if (error instanceof DataError) {
        // The call was rejected for a value and did nothing: send each append alone, so that
        // only the bad one fails.
        for (const pending of group) await this.send([pending]);
        return;
      }
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (typeof outcome === 'number') pending.resolve(outcome);
      else pending.reject(outcome ?? new Error('The batch function returned no outcome.'));
    });
  }
}
