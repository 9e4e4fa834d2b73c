import type { ServerDescription } from './pg-errors.js';

/** Something that wakes its subscriptions (a `PostgresListener`). */
export interface LocalWakeUp {
  /** Wakes every subscription listening through it. */
  wakeAll(): void;
}

// The listeners of this process by server and channel: a write committed here wakes them at
// once, instead of after its NOTIFY has gone through the server to the LISTEN connection.
const listening = new Map<string, Set<LocalWakeUp>>();

/** The key of a channel on a server (what a write and a listener of the same table share). */
export function localWakeUpKey(server: ServerDescription, channel: string): string {
  return `${server.host ?? ''}\u0000${server.port ?? ''}\u0000${server.dbname ?? ''}\u0000${channel}`;
}

/** Registers a listener of the channel `key` (while it has subscriptions). */
export function addLocalWakeUp(key: string, wakeUp: LocalWakeUp): void {
  let set = listening.get(key);
  if (set === undefined) {
    set = new Set();
    listening.set(key, set);
  }
  set.add(wakeUp);
}

/** Unregisters a listener. */
export function removeLocalWakeUp(key: string, wakeUp: LocalWakeUp): void {
  const set = listening.get(key);
  if (set === undefined) return;
  set.delete(wakeUp);
  if (set.size === 0) listening.delete(key);
}

/**
 * Wakes this process's subscriptions of the channel `key`, after a write to its table has
 * committed. Other processes are woken by the write's NOTIFY, as before; this only saves the
 * round trip through the server for readers in the writer's process.
 */
export function wakeLocally(key: string): void {
  const set = listening.get(key);
  if (set === undefined) return;
  for (const wakeUp of set) wakeUp.wakeAll();
}
