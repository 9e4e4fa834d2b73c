/**
 * Makes one process at a time the owner of a follower (an application that processes other
 * applications' events), so that two processes started for the same follower never both
 * process. A backend's factory makes it (`factory.followerLock()`): PostgreSQL a session
 * advisory lock on a connection of its own, SQLite an open write transaction on a lock file
 * beside the follower's database. The operating system or the server releases it when the
 * owning process dies.
 */
export interface FollowerLock {
  /**
   * Takes ownership when no other holder has it. Resolves to a signal that aborts (its reason
   * the error) when ownership, once taken, is lost (the lock's connection broke: stop
   * processing and try again), or to `null` when another holder owns the follower. Rejects
   * when the lock cannot be reached (a lost connection: retry later).
   */
  tryAcquire(): Promise<AbortSignal | null>;
  /** Gives ownership up and closes the lock's connection or file. Safe to repeat. */
  release(): Promise<void>;
}
