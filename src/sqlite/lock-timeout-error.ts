import { OperationalError } from '../persistence/errors.js';
import type { LockUnavailable } from './lock-unavailable.js';
import { toPersistenceError } from './sqlite-errors.js';

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
  if (last.busy === null && last.byBatch) {
    return new OperationalError(
      `${context}: a batch of a view (recordBatch) kept this connection's transaction open for ` +
        `longer than the lock timeout ${waited}. Writes on the connection wait for its batches: ` +
        'keep batches short (a smaller batch size), give the view a database file of its own, ' +
        'or raise SQLITE_LOCK_TIMEOUT.',
    );
  }
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
