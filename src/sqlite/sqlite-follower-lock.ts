import type { FollowerLock } from '../persistence/follower-lock.js';
import { loadSqliteDriver, type SqliteDatabase } from './driver.js';
import { isBusy } from './is-busy.js';
import { toPersistenceError } from './sqlite-errors.js';

/**
 * The owner of a follower on SQLite: an open write transaction (`BEGIN IMMEDIATE`, no busy
 * wait) on a lock file beside the follower's database (`<dbfile>.owner`). A lock inside the
 * follower's own file would block the follower's own writes. The operating system releases
 * the file's lock when the owning process dies; a file cannot be lost while open, so the
 * signal `tryAcquire` gives never aborts.
 */
export class SQLiteFollowerLock implements FollowerLock {
  /** The lock file's path. */
  readonly path: string;
  private db: SqliteDatabase | null = null;
  private readonly owned = new AbortController();

  /** A lock on the file at `path`. */
  constructor(path: string) {
    this.path = path;
  }

  /** Takes the lock file's write lock if free; see `FollowerLock.tryAcquire`. */
  async tryAcquire(): Promise<AbortSignal | null> {
    if (this.db !== null) return this.owned.signal;
    const Database = loadSqliteDriver();
    let db: SqliteDatabase;
    try {
      db = new Database(this.path, { timeout: 0 });
    } catch (error) {
      throw toPersistenceError(error, `Cannot open the follower lock file '${this.path}'`);
    }
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      db.close();
      if (isBusy(error)) return null;
      throw toPersistenceError(error, `Cannot lock the follower lock file '${this.path}'`);
    }
    this.db = db;
    return this.owned.signal;
  }

  /** Ends the transaction and closes the file. Safe to repeat. */
  async release(): Promise<void> {
    const db = this.db;
    this.db = null;
    if (db === null) return;
    try {
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  }
}
