import type { WakeUpListener, WakeUpSource } from '../persistence/notification-signal.js';

/**
 * One recorder's view of a shared wake-up source (the factory's LISTEN connection): it
 * remembers its own listeners, so that closing the recorder stops its subscriptions (and those
 * made later) without touching other recorders'.
 */
export class ScopedWakeUp implements WakeUpSource {
  private readonly source: WakeUpSource;
  private readonly listeners = new Set<WakeUpListener>();
  private closed = false;

  constructor(source: WakeUpSource) {
    this.source = source;
  }

  /** How many of this recorder's subscriptions are listening. */
  get size(): number {
    return this.listeners.size;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Registers the listener here and with the shared source; after `close()`, stops it. */
  addListener(listener: WakeUpListener): void {
    if (this.closed) {
      listener.stop();
      return;
    }
    this.listeners.add(listener);
    this.source.addListener(listener);
  }

  /** Unregisters the listener here and from the shared source. */
  removeListener(listener: WakeUpListener): void {
    if (!this.listeners.delete(listener)) return;
    this.source.removeListener(listener);
  }

  /** Stops every listener registered here; later ones are stopped at once. */
  close(): void {
    this.closed = true;
    for (const listener of [...this.listeners]) listener.stop();
    for (const listener of [...this.listeners]) this.removeListener(listener);
  }
}
