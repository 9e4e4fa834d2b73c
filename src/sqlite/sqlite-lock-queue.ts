import { InterfaceError, OperationalError } from '../persistence/errors.js';
import { toPersistenceError } from './sqlite-errors.js';

/**
 * Thrown by a write attempt that could not start because another connection holds the
 * database's write lock (`SQLITE_BUSY`), or because the connection the user gave is inside the
 * user's own transaction. The attempt changed nothing, so it can be made again later.
 */
export class LockUnavailable extends Error {
  /** The driver's `SQLITE_BUSY` error, or `null` when the user's transaction was open. */
  readonly busy: unknown;

  constructor(busy: unknown) {
    super('The SQLite write lock is held by another connection or transaction.');
    this.name = 'LockUnavailable';
    this.busy = busy;
  }
}

/** Whether a driver error means another connection holds a lock (nothing was done). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

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

/** The error of a write made after its connection was closed while it waited for the lock. */
export function closedWhileWaiting(dbName: string): InterfaceError {
  return new InterfaceError(
    `SQLite database '${dbName}' was closed while a write waited for its write lock: nothing ` +
      'of that write was stored.',
  );
}

/**
 * The error of a write that waited `lockTimeout` milliseconds for the write lock in vain: an
 * `OperationalError` (the driver's `SQLITE_BUSY` error as `cause`) whose message starts with
 * `context` and says what to do.
 */
export function lockTimeoutError(
  last: LockUnavailable,
  context: string,
  lockTimeout: number,
): OperationalError {
  const waited = `(waited ${lockTimeout / 1000} s)`;
  if (last.busy === null) {
    return new OperationalError(
      `${context}: the connection given to the library stayed inside a transaction of yours for ` +
        `longer than the lock timeout ${waited}. The library's writes are transactions of their ` +
        'own: commit or roll back yours first, and do not await them inside it.',
    );
  }
  const error = toPersistenceError(last.busy, `${context} ${waited}`);
  return error instanceof OperationalError
    ? error
    : new OperationalError(error.message, { cause: last.busy });
}
