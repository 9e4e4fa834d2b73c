/**
 * Thrown by a write attempt that could not start because another connection holds the
 * database's write lock (`SQLITE_BUSY`), or because the connection the user gave is inside the
 * user's own transaction. The attempt changed nothing, so it can be made again later.
 */
export class LockUnavailable extends Error {
  /** The driver's `SQLITE_BUSY` error, or `null` when a transaction was open on the connection. */
  readonly busy: unknown;
  /** Whether that open transaction was a view's batch (`recordBatch`), not the user's. */
  readonly byBatch: boolean;

  constructor(busy: unknown, byBatch = false) {
    super('The SQLite write lock is held by another connection or transaction.');
    this.name = 'LockUnavailable';
    this.busy = busy;
    this.byBatch = byBatch;
  }
}
