import {
  ConnectionUnavailableError,
  DataError,
  IntegrityError,
  InterfaceError,
  InternalError,
  OperationalError,
  type PersistenceError,
  ProgrammingError,
} from '../persistence/errors.js';

/** What an error from `pg` or node:net may carry. */
interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
}

/** Node socket error codes meaning the server could not be reached or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** SQLSTATEs of a server that went away (shutdown, terminated backend, restarting). */
const GONE_CODES = new Set(['57P01', '57P02', '57P03']);

function codeOf(error: unknown): string {
  const code = (error as DriverError | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: unknown): string {
  const message = (error as DriverError | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Whether the error means the connection was lost or could not be made for a reason that may
 * pass (the server restarting, a dropped socket), as opposed to a rejected statement or bad
 * credentials. Idempotent reads are retried after such errors; writes are not.
 */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (NETWORK_CODES.has(code) || GONE_CODES.has(code) || code.startsWith('08')) return true;
  const message = messageOf(error);
  return (
    message.includes('Connection terminated') ||
    message.includes('connection error and is not queryable') ||
    message.includes('timeout exceeded when trying to connect') ||
    message.includes('Client was closed and is not queryable')
  );
}

/**
 * Whether an idempotent read should be tried again: the connection was lost or refused (a
 * restarting server), but not a timeout waiting for a connection (retrying would multiply it).
 */
export function isRetriableReadError(error: unknown): boolean {
  return (
    isConnectionError(error) &&
    !isPoolClosedError(error) &&
    !messageOf(error).includes('timeout exceeded when trying to connect')
  );
}

/**
 * Whether an error (from `pg`, or the library's error made from one, whose `cause` it is) may
 * pass by itself: a lost or refused connection, a timeout connecting, or too many requests
 * waiting for a connection. Subscriptions retry reads after these, with backoff, until the
 * server is back; a closed pool, bad credentials or a rejected statement are not among them.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof ConnectionUnavailableError) return true;
  const driverError = error instanceof OperationalError ? error.cause : error;
  return isConnectionError(driverError) && !isPoolClosedError(driverError);
}

/** Whether the pool was closed (`end()` was called): no retry can help. */
export function isPoolClosedError(error: unknown): boolean {
  return messageOf(error).includes('Cannot use a pool after calling end');
}

/** Where the module connects, for messages: `host:port/dbname`. */
export interface ServerDescription {
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly dbname: string | undefined;
  readonly user: string | undefined;
}

function where(server: ServerDescription): string {
  return `PostgreSQL at ${server.host ?? 'localhost'}:${server.port ?? 5432} (database '${
    server.dbname ?? '?'
  }', user '${server.user ?? '?'}')`;
}

/**
 * Turns an error from `pg` into the library's class, keeping it as `cause`, with a message that
 * says what to do: `IntegrityError` (unique violations), `OperationalError` (lock timeouts, lost
 * connections, unreachable servers, bad credentials, unknown databases), `ProgrammingError`
 * (missing tables, bad SQL), `DataError` (bad values), `InternalError`. Errors already of the
 * library's classes pass through.
 */
export function mapPgError(error: unknown, server: ServerDescription): Error {
  if (error instanceof Error && isLibraryError(error)) return error;
  const code = codeOf(error);
  const message = messageOf(error);
  const cause = { cause: error };
  if (code === '55P03') {
    return new OperationalError(
      `Timed out waiting for a lock (lock timeout) on ${where(server)}: ${message}. Another ` +
        'writer held the table lock for longer than POSTGRES_LOCK_TIMEOUT seconds; retry, or ' +
        'raise POSTGRES_LOCK_TIMEOUT (0 waits for ever).',
      cause,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new OperationalError(
      `Authentication failed for ${where(server)}: ${message}. Check POSTGRES_USER and ` +
        'POSTGRES_PASSWORD (or the credentials in POSTGRES_URL).',
      cause,
    );
  }
  if (code === '3D000') {
    return new OperationalError(
      `The database does not exist on ${where(server)}: ${message}. Create it ` +
        '(createdb, or CREATE DATABASE), or check POSTGRES_DBNAME.',
      cause,
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new OperationalError(
      `Cannot connect to ${where(server)}: ${message}. Check that the server is running and ` +
        'that POSTGRES_HOST and POSTGRES_PORT (or POSTGRES_URL) point to it.',
      cause,
    );
  }
  if (message.includes('timeout exceeded when trying to connect')) {
    return new OperationalError(
      `Timed out connecting to ${where(server)} (or waiting for a free pooled connection): ` +
        `${message}. Check that the server is reachable, or raise POSTGRES_CONNECT_TIMEOUT or ` +
        'the pool size (POSTGRES_POOL_SIZE, POSTGRES_MAX_OVERFLOW).',
      cause,
    );
  }
  if (isPoolClosedError(error)) {
    return new InterfaceError(
      'The PostgreSQL connection pool is closed (its application or factory was closed): ' +
        'make a new one to go on.',
      cause,
    );
  }
  if (isConnectionError(error)) {
    return new OperationalError(
      `Lost the connection to ${where(server)}: ${message}. The server may have restarted or ` +
        'the network dropped; retry.',
      cause,
    );
  }
  if (code === '42P01') {
    return new ProgrammingError(
      `A table does not exist on ${where(server)}: ${message}. Let the recorders create their ` +
        'tables (CREATE_TABLE=yes, the default), or create them as docs/postgres.md shows; check ' +
        'POSTGRES_SCHEMA.',
      cause,
    );
  }
  if (code === '42883') {
    return new ProgrammingError(
      `A function does not exist on ${where(server)}: ${message}. The write function is created ` +
        'with the table: run once with CREATE_TABLE=yes.',
      cause,
    );
  }
  if (code.startsWith('23')) return new IntegrityError(`Integrity error: ${message}`, cause);
  if (code.startsWith('22')) return new DataError(`Invalid data for PostgreSQL: ${message}`, cause);
  if (code.startsWith('42') || code.startsWith('2B') || code.startsWith('0A')) {
    return new ProgrammingError(`PostgreSQL rejected a statement: ${message}`, cause);
  }
  if (
    code.startsWith('53') ||
    code.startsWith('40') ||
    code.startsWith('57') ||
    code.startsWith('25')
  ) {
    return new OperationalError(`PostgreSQL operational error: ${message}`, cause);
  }
  if (code.startsWith('XX'))
    return new InternalError(`PostgreSQL internal error: ${message}`, cause);
  return new OperationalError(`PostgreSQL error on ${where(server)}: ${message}`, cause);
}

function isLibraryError(error: Error): error is PersistenceError {
  return (
    error instanceof OperationalError ||
    error instanceof IntegrityError ||
    error instanceof DataError ||
    error instanceof ProgrammingError ||
    error instanceof InterfaceError ||
    error instanceof InternalError
  );
}

/**
 * Like `mapPgError`, for a write that may have been sent: a lost connection means the outcome
 * is unknown, which the message says (the write is never retried).
 */
export function mapWriteError(error: unknown, server: ServerDescription): Error {
  if (isConnectionError(error) && !isPoolClosedError(error)) {
    const code = codeOf(error);
    const connecting =
      code === 'ECONNREFUSED' ||
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN' ||
      messageOf(error).includes('timeout exceeded when trying to connect') ||
      // pg refuses a client that already broke before sending anything: nothing was written.
      messageOf(error).includes('is not queryable');
    if (!connecting) {
      return new OperationalError(
        `The connection to ${where(server)} was lost during a write: the outcome is unknown ` +
          `(the events may or may not have been recorded): ${messageOf(error)}. It was not ` +
          'retried: reload the aggregate (or select the events) before trying again.',
        { cause: error },
      );
    }
  }
  return mapPgError(error, server);
}
