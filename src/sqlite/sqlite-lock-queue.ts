import { LockUnavailable } from './lock-unavailable.js';

interface Waiter {
  readonly attempt: () => unknown;
  readonly deadline: number;
  readonly timeoutError: (last: LockUnavailable) => Error;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  last: LockUnavailable | null;
}

// Milliseconds between attempts: doubling from the first to the last, so that a short wait is
// short and a long one costs a few attempts a second.
const FIRST_DELAY = 1;
const MAX_DELAY = 50;
// Milliseconds of queued writes run in one go before yielding to the event loop.
const DRAIN_BUDGET = 10;

/**
 * The writes of one connection waiting for the database's write lock, without blocking the
 * event loop: SQLite's own busy handler sleeps on the thread, so the connection's busy timeout is
 * kept to a few milliseconds and a write that still finds the lock taken is queued here and
 * attempted again on a timer, with backoff, until its lock timeout has passed. Queued writes run
 * in order, each one whole and synchronous (no `await` inside a transaction); while any is
 * queued, new writes join the queue rather than overtake it.
 */
export class SQLiteLockQueue {
  /** Milliseconds a write may wait for the lock. */
  readonly lockTimeout: number;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private delay = FIRST_DELAY;
  private closedWith: Error | null = null;
  // What the last failed attempt ran into, for waiters never attempted themselves.
  private last: LockUnavailable = new LockUnavailable(null);

  constructor(lockTimeout: number) {
    this.lockTimeout = lockTimeout;
  }

  /** Whether no write is waiting (then a new write may be attempted at once). */
  get idle(): boolean {
    return this.waiters.length === 0;
  }

  /**
   * Attempts `attempt` again, later, until it does not throw `LockUnavailable`; resolves to its
   * result, rejects with what it throws, or with `timeoutError(last)` once `lockTimeout`
   * milliseconds have passed since `startedAt` (a `performance.now()` time). `first` is what
   * the first attempt ran into, or `null` when it was not made (others were waiting).
   */
  wait<T>(
    attempt: () => T,
    first: LockUnavailable | null,
    timeoutError: (last: LockUnavailable) => Error,
    startedAt: number = performance.now(),
  ): Promise<T> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    if (first !== null) this.last = first;
    const deadline = startedAt + this.lockTimeout;
    if (performance.now() >= deadline) return Promise.reject(timeoutError(first ?? this.last));
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({
        attempt,
        deadline,
        timeoutError,
        resolve: resolve as (value: unknown) => void,
        reject,
        last: first,
      });
      this.schedule();
    });
  }

  /** Attempts the waiting writes soon, without waiting out the backoff (a lock was released). */
  retrySoon(): void {
    if (this.waiters.length === 0 || this.immediate !== null || this.closedWith !== null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.delay = FIRST_DELAY;
    this.immediate = setImmediate(() => this.drain());
  }

  /** Rejects every waiting write with `error` (the connection is closing); later waits too. */
  close(error: Error): void {
    this.closedWith = error;
    this.cancelTimer();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private schedule(): void {
    if (this.timer !== null || this.immediate !== null) return;
    // A pending save keeps the process alive (the timer is not unref'd): its caller awaits it.
    this.timer = setTimeout(() => this.drain(), this.delay);
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private drain(): void {
    this.timer = null;
    this.immediate = null;
    const started = performance.now();
    const waiters = this.waiters;
    while (waiters.length > 0) {
      const waiter = waiters[0]!;
      let value: unknown;
      try {
        value = waiter.attempt();
      } catch (error) {
        if (error instanceof LockUnavailable) {
          waiter.last = error;
          this.last = error;
          break;
        }
        waiters.shift();
        waiter.reject(error);
        continue;
      }
      waiters.shift();
      waiter.resolve(value);
      this.delay = FIRST_DELAY;
      if (waiters.length > 0 && performance.now() - started > DRAIN_BUDGET) {
        // The lock is free: go on at once, but let timers and I/O run first.
        this.immediate = setImmediate(() => this.drain());
        return;
      }
    }
    if (waiters.length === 0) return;
    const now = performance.now();
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (now >= waiter.deadline) {
        waiters.splice(i, 1);
        waiter.reject(waiter.timeoutError(waiter.last ?? this.last));
      }
    }
    if (waiters.length === 0) return;
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
    // Never sleep past the earliest deadline by much: the timeout error is due then.
    const wake = Math.min(...waiters.map((w) => w.deadline)) - now;
    this.timer = setTimeout(() => this.drain(), Math.max(1, Math.min(this.delay, wake)));
  }
}
