/**
 * Runs asynchronous tasks one at a time, in the order they were given: a task starts once the
 * one before it has settled (resolved or rejected). `ConcurrentRunner` gives each follower one,
 * so that the pages of its several leaders reach `processBatch` (which keeps the open batch's
 * state on the follower) one at a time.
 *
 * @internal
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task given before it has settled; settles as `task` does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The queue goes on after a failed task; the failure is the caller's to handle.
    this.tail = result.catch(() => {});
    return result;
  }
}
