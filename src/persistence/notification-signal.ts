/**
 * Something that is told when new notifications may have been recorded: a subscription, in
 * practice. Implemented as an object with methods (not a callback) so that registering one
 * allocates nothing per insert.
 */
export interface WakeUpListener {
  /** New notifications may be available. Must return at once and must not throw. */
  wake(): void;
  /** The source is closing: the listener should stop (and remove itself). */
  stop(): void;
}

/**
 * A source of wake-ups for subscriptions: in-memory inserts here; a PostgreSQL LISTEN
 * connection or a SQLite write hook elsewhere.
 */
export interface WakeUpSource {
  /** Starts telling the listener about new notifications. */
  addListener(listener: WakeUpListener): void;
  /** Stops telling the listener; unknown listeners are ignored. */
  removeListener(listener: WakeUpListener): void;
}

/**
 * A `WakeUpSource` that a recorder triggers itself, after each committed insert. `notify()`
 * costs one size check when nobody listens.
 */
export class NotificationSignal implements WakeUpSource {
  private readonly listeners = new Set<WakeUpListener>();
  private closed = false;

  /** How many listeners are registered (lets tests check that none is left behind). */
  get size(): number {
    return this.listeners.size;
  }

  /** Starts telling the listener about new notifications; after `close()`, stops it at once. */
  addListener(listener: WakeUpListener): void {
    if (this.closed) {
      listener.stop();
      return;
    }
    this.listeners.add(listener);
  }

  /** Stops telling the listener; unknown listeners are ignored. */
  removeListener(listener: WakeUpListener): void {
    this.listeners.delete(listener);
  }

  /** Wakes every listener: call it after new notifications have been committed. */
  notify(): void {
    if (this.listeners.size === 0) return;
    for (const listener of this.listeners) listener.wake();
  }

  /** Stops every listener and forgets them all; listeners added later are stopped at once. */
  close(): void {
    this.closed = true;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener.stop();
  }
}
