import { InterfaceError, OperationalError } from '../persistence/errors.js';

// SQLSTATE classes that no retry can help: bad credentials or authorization (28), a database
// that does not exist (3D), a syntax error or a missing table (42).
const PERMANENT_SQLSTATE = /^(28|3D|42)/;

/**
 * Whether a runner should retry after this error rather than stop: an `OperationalError` or
 * `InterfaceError` (a lost connection, a lock timeout, a commit whose outcome is unknown, a
 * remote log that did not answer), except bad credentials, a missing database, a closed pool,
 * and an error that says it is not `retryable` (a remote log's 401), which no retry can help.
 *
 * @internal
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof OperationalError || error instanceof InterfaceError)) return false;
  if ((error as { retryable?: unknown }).retryable === false) return false;
  const cause = (error as { cause?: unknown }).cause as
    | { code?: unknown; message?: unknown }
    | undefined;
  if (cause !== null && typeof cause === 'object') {
    if (typeof cause.code === 'string' && PERMANENT_SQLSTATE.test(cause.code)) return false;
    if (String(cause.message).includes('Cannot use a pool after calling end')) return false;
  }
  return true;
}
