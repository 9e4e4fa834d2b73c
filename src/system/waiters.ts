/**
 * Callers waiting for a runner to fail or stop (`runForever`, `watchForErrors`): each waits
 * until `wakeAll()`, its `timeout` or its `signal`, whichever comes first, and leaves no
 * timer or listener behind.
 *
 * @internal
 */
export class Waiters {
  private readonly waiting = new Set<() => void>();

  /** Resolves at the next `wakeAll()`, after `timeout` ms, or when `signal` aborts. */
  wait(options: { timeout?: number | undefined; signal?: AbortSignal | undefined }): Promise<void> {
    const { timeout, signal } = options;
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiting.delete(done);
        resolve();
      };
      const timer = timeout === undefined ? null : setTimeout(done, timeout);
      signal?.addEventListener('abort', done, { once: true });
      this.waiting.add(done);
    });
  }

  /** Resolves every wait. */
  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }
}
