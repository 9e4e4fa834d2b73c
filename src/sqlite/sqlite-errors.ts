import { EventSourcingError } from '../domain/errors.js';
import {
  DatabaseError,
  DataError,
  IntegrityError,
  InterfaceError,
  InternalError,
  OperationalError,
  ProgrammingError,
} from '../persistence/errors.js';

/**
 * Turns an error thrown by better-sqlite3 into the library's error class, keeping the driver's
 * error as `cause`, with a message that starts with `context` (what was being done, on which
 * database) and says what to do. Errors of the library pass through unchanged.
 */
export function toPersistenceError(error: unknown, context: string): Error {
  if (error instanceof EventSourcingError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const text = `${context}: ${message} (${code})`;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new OperationalError(
        `${text}. Another connection held the database's write lock for longer than the lock ` +
          'timeout: raise SQLITE_LOCK_TIMEOUT (seconds), or find the process that keeps a ' +
          'write transaction open.',
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return new IntegrityError(`${text}.`, { cause: error });
    }
    if (code.startsWith('SQLITE_CANTOPEN')) {
      return new OperationalError(
        `${text}. Check that SQLITE_DBNAME names a file in a directory that exists and that ` +
          'this process may read and write (SQLite also creates -wal and -shm files beside it).',
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
      return new OperationalError(
        `${text}. The database (or its directory) is not writable by this process: fix the ` +
          'permissions, or open it read-only with CREATE_TABLE=no and only read.',
        { cause: error },
      );
    }
    if (
      code.startsWith('SQLITE_IOERR') ||
      code === 'SQLITE_FULL' ||
      code === 'SQLITE_NOMEM' ||
      code === 'SQLITE_PROTOCOL' ||
      code === 'SQLITE_INTERRUPT' ||
      code.startsWith('SQLITE_ABORT')
    ) {
      return new OperationalError(
        `${text}. The operation failed in the database's storage (disk full, I/O error, ` +
          'interrupted): check the disk and retry.',
        { cause: error },
      );
    }
    if (code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH' || code === 'SQLITE_RANGE') {
      return new DataError(`${text}. A value cannot be stored as given.`, { cause: error });
    }
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
      return new DatabaseError(
        `${text}. The file is not a SQLite database, or it is damaged: check SQLITE_DBNAME.`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_INTERNAL') return new InternalError(`${text}.`, { cause: error });
    if (code.startsWith('SQLITE_ERROR')) {
      if (/no such table/i.test(message)) {
        return new ProgrammingError(
          `${text}. The table does not exist: let the library create it (CREATE_TABLE=yes, the ` +
            'default), or create it with the DDL in docs/sqlite.md.',
          { cause: error },
        );
      }
      return new ProgrammingError(`${text}.`, { cause: error });
    }
    return new DatabaseError(`${text}.`, { cause: error });
  }
  if (error instanceof TypeError && /connection is not open/i.test(message)) {
    return new InterfaceError(
      `${context}: the SQLite connection is closed (its factory or application was closed). ` +
        'Use a new application, factory or recorder.',
      { cause: error },
    );
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return new DataError(`${context}: ${message}.`, { cause: error });
  }
  return error instanceof Error ? error : new DatabaseError(`${context}: ${message}`);
}
