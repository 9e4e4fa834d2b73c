import { InterfaceError } from '../persistence/errors.js';

/** The error of a write made after its connection was closed while it waited for the lock. */
export function closedWhileWaiting(dbName: string): InterfaceError {
  return new InterfaceError(
    `SQLite database '${dbName}' was closed while a write waited for its write lock: nothing ` +
      'of that write was stored.',
  );
}
