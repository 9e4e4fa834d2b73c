/**
 * The position a runner has processed up to, in this process, and the waits for it: settled
 * as soon as a transaction commits, without polling the view.
 *
 * @internal
 */
export class Progress {
  private position = 0;
  private known = false;
  private readonly waiters = new Set<{ id: number; resolve: () => void }>();

  /** Whether the runner has read where its view stands (`start`), so `advance` is authoritative. */
  get isKnown(): boolean {
    return this.known;
  }

  /** Notes where the view stood when the runner started processing. */
  start(position: number | null): void {
    this.known = true;
    this.advance(position ?? 0);
  }

  /** Notes that everything up to `position` has been committed, and settles waits. */
  advance(position: number): void {
    if (position <= this.position) return;
    this.position = position;
    for (const waiter of this.waiters) {
      if (waiter.id <= position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Forgets the position (the view was reset), keeping the waits. */
  reset(): void {
    this.position = 0;
    this.known = false;
  }

  /** Resolves once `id` is processed, or when `signal` aborts (then it never resolves). */
  reached(id: number, signal: AbortSignal): Promise<void> {
    if (id <= this.position) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        id,
        resolve: () => {
          signal.removeEventListener('abort', drop);
          resolve();
        },
      };
      const drop = (): void => {
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      signal.addEventListener('abort', drop, { once: true });
    });
  }
}
