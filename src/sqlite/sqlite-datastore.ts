import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InterfaceError, OperationalError } from '../persistence/errors.js';
import type { NotificationSignal } from '../persistence/notification-signal.js';
import { describeValue } from '../utils/describe-value.js';
import { closedWhileWaiting } from './closed-while-waiting.js';
import {
  loadSqliteDriver,
  SQLITE_DRIVER_PACKAGE,
  type SqliteDatabase,
  type SqliteStatement,
} from './driver.js';
import { isBusy } from './is-busy.js';
import { LockUnavailable } from './lock-unavailable.js';
import { parseSqliteDbName, type SqliteTarget } from './sqlite-db-name.js';
import { toPersistenceError } from './sqlite-errors.js';
import { SQLiteLockQueue } from './sqlite-lock-queue.js';

/** SQLite's `synchronous` settings, from least to most durable. */
export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/** How originator ids are stored: UUIDs as 32-char hex (Python's default) or any text. */
export type OriginatorIdType = 'uuid' | 'text';

/** Options of `SQLiteDatastore` (the factory reads them from the environment and its options). */
export interface SQLiteDatastoreOptions {
  /**
   * Milliseconds a write waits for another connection's write lock (`SQLITE_LOCK_TIMEOUT` is
   * in seconds; default 5000). The wait does not block the event loop.
   */
  lockTimeout?: number | null;
  /**
   * `PRAGMA synchronous` (`SQLITE_SYNCHRONOUS`; default `FULL`, Python's durability). On a
   * `database` of the user's, it is set only when given.
   */
  synchronous?: SqliteSynchronous | null;
  /**
   * An open better-sqlite3 `Database` of the user's to use instead of opening one (Drizzle's
   * `drizzle({ client })` style). The user owns it: `close()` leaves it open, and no pragma is
   * set on it except `synchronous` when given.
   */
  database?: SqliteDatabase | null;
  /** One tracking row per upstream application (`SINGLE_ROW_TRACKING`; default true). */
  singleRowTracking?: boolean;
  /** `ORIGINATOR_ID_TYPE` (default `uuid`). */
  originatorIdType?: OriginatorIdType;
  /** Whether recorders create their tables on first use (`CREATE_TABLE`; default true). */
  createTable?: boolean;
  /** The driver module to load (default `better-sqlite3`); for tests of a missing driver. */
  driver?: string;
}

/** The default lock timeout, in seconds (Python's sqlite3 default). */
export const DEFAULT_SQLITE_LOCK_TIMEOUT = 5;

/**
 * The busy timeout (milliseconds) of the connections the library opens: how long SQLite itself
 * waits for a lock, blocking the thread. Short, so that the event loop never stalls; a write
 * that finds the lock taken waits in the datastore's `lockQueue` instead, up to the lock timeout.
 */
export const SQLITE_BUSY_TIMEOUT = 5;

/** A connection and the transaction statements prepared on it once. */
export interface SqliteConnection {
  /** The connection. */
  readonly db: SqliteDatabase;
  /** `BEGIN IMMEDIATE`: takes the write lock at once. */
  readonly begin: SqliteStatement;
  /** `COMMIT`. */
  readonly commit: SqliteStatement;
  /** `ROLLBACK`. */
  readonly rollback: SqliteStatement;
}

interface SharedMemory {
  connection: SqliteConnection;
  users: number;
}

// Named in-memory databases, shared by every datastore of the process that names them, as
// SQLite's shared cache would share them between connections.
const sharedMemory = new Map<string, SharedMemory>();

/**
 * One SQLite database, as the recorders of one factory use it: one better-sqlite3 connection,
 * opened on first use (never in the constructor), shared by all the factory's recorders, or the
 * user's own connection (`database`). File databases the library opens are switched to WAL
 * mode, so readers never block the writer; `synchronous` is set as configured. better-sqlite3
 * is synchronous, so a write transaction never spans an `await` and one connection serves the
 * whole process without contention. SQLite's busy timeout, which blocks the thread, is kept to
 * `SQLITE_BUSY_TIMEOUT` ms: a write that finds another process holding the write lock waits in
 * `lockQueue`, on timers, up to `lockTimeout`, while the event loop runs on.
 *
 * Also the hub of in-process wake-ups: recorders register their subscription signals per
 * table, and each commit to a table wakes every subscription of this datastore on it.
 */
export class SQLiteDatastore {
  /** The `SQLITE_DBNAME` value. */
  readonly dbName: string;
  /** Where the database lives, as read from `dbName`. */
  readonly target: SqliteTarget;
  /** Milliseconds a write waits for a lock held by another connection. */
  readonly lockTimeout: number;
  /** The `PRAGMA synchronous` setting (`null`: the user's connection's own, left as it is). */
  readonly synchronous: SqliteSynchronous | null;
  /** Whether tracking keeps one row per upstream application. */
  readonly singleRowTracking: boolean;
  /** How originator ids are stored. */
  readonly originatorIdType: OriginatorIdType;
  /** Whether recorders create their tables. */
  readonly createTable: boolean;
  /** Whether the database is in memory (so no other process can write it). */
  readonly isMemory: boolean;
  /** Whether the connection is the user's (given as `database`), which `close()` leaves open. */
  readonly isExternal: boolean;
  /** The writes waiting for another connection's write lock. */
  readonly lockQueue: SQLiteLockQueue;

  private readonly driver: string;
  private readonly external: SqliteDatabase | null;
  private connection: SqliteConnection | null = null;
  private closed = false;
  private readonly signals = new Map<string, Set<NotificationSignal>>();

  /** @throws TypeError for a bad database name or option. */
  constructor(dbName: string, options: SQLiteDatastoreOptions = {}) {
    const database = options.database ?? null;
    if (database !== null && !isDatabase(database)) {
      throw new TypeError(
        'database must be an open better-sqlite3 Database (new Database(filename)), not ' +
          `${describeValue(database)}.`,
      );
    }
    this.external = database;
    this.isExternal = database !== null;
    this.dbName = dbName;
    this.target =
      database === null
        ? parseSqliteDbName(dbName)
        : {
            filename: database.name,
            memory: database.memory,
            sharedMemoryName: null,
            readonly: database.readonly,
            fileMustExist: true,
          };
    const lockTimeout = options.lockTimeout ?? DEFAULT_SQLITE_LOCK_TIMEOUT * 1000;
    if (!Number.isInteger(lockTimeout) || lockTimeout < 0 || lockTimeout > 2 ** 31 - 1) {
      throw new TypeError(
        `lockTimeout must be a whole number of milliseconds ≥ 0, not ${String(lockTimeout)}.`,
      );
    }
    this.lockTimeout = lockTimeout;
    this.lockQueue = new SQLiteLockQueue(lockTimeout);
    const synchronous = options.synchronous ?? (database === null ? 'FULL' : null);
    if (synchronous !== null && !['OFF', 'NORMAL', 'FULL', 'EXTRA'].includes(synchronous)) {
      throw new TypeError(
        `synchronous must be OFF, NORMAL, FULL or EXTRA, not ${String(options.synchronous)}.`,
      );
    }
    this.synchronous = synchronous;
    this.singleRowTracking = options.singleRowTracking ?? true;
    this.originatorIdType = options.originatorIdType ?? 'uuid';
    if (this.originatorIdType !== 'uuid' && this.originatorIdType !== 'text') {
      throw new TypeError(
        `originatorIdType must be 'uuid' or 'text', not ${String(options.originatorIdType)}.`,
      );
    }
    this.createTable = options.createTable ?? true;
    this.driver = options.driver ?? SQLITE_DRIVER_PACKAGE;
    this.isMemory = this.target.memory;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The connection, opened (and configured) on first use.
   *
   * @throws InfrastructureFactoryError when better-sqlite3 is missing; OperationalError when
   * the database cannot be opened; InterfaceError once closed.
   */
  connect(): SqliteConnection {
    const connection = this.connection;
    if (connection !== null) return connection;
    if (this.closed) {
      throw new InterfaceError(
        `SQLite database '${this.dbName}' is closed (its factory or application was closed): ` +
          'make a new one.',
      );
    }
    const name = this.target.sharedMemoryName;
    if (name !== null) {
      let shared = sharedMemory.get(name);
      if (shared === undefined) {
        shared = { connection: this.open(), users: 0 };
        sharedMemory.set(name, shared);
      }
      shared.users++;
      this.connection = shared.connection;
      return shared.connection;
    }
    this.connection = this.open();
    return this.connection;
  }

  /**
   * Closes the connection (a `database` of the user's stays open), and rejects the writes
   * waiting for the lock; later use is an `InterfaceError`. Safe to call more than once.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lockQueue.close(closedWhileWaiting(this.dbName));
    const connection = this.connection;
    this.connection = null;
    const name = this.target.sharedMemoryName;
    if (connection === null || this.external !== null) return;
    if (name !== null) {
      const shared = sharedMemory.get(name);
      if (shared !== undefined && --shared.users > 0) return;
      sharedMemory.delete(name);
    }
    if (connection.db.inTransaction) connection.rollback.run();
    connection.db.close();
  }

  /** Registers a recorder's subscription signal, to be woken by commits to `table`. */
  addSignal(table: string, signal: NotificationSignal): void {
    let set = this.signals.get(table);
    if (set === undefined) {
      set = new Set();
      this.signals.set(table, set);
    }
    set.add(signal);
  }

  /** Forgets a signal registered with `addSignal`. */
  removeSignal(table: string, signal: NotificationSignal): void {
    this.signals.get(table)?.delete(signal);
  }

  /** The signals to wake after a commit to `table` (a live set: register first). */
  signalsFor(table: string): ReadonlySet<NotificationSignal> {
    let set = this.signals.get(table);
    if (set === undefined) {
      set = new Set();
      this.signals.set(table, set);
    }
    return set;
  }

  private open(): SqliteConnection {
    const external = this.external;
    if (external !== null) {
      if (!external.open) {
        throw new InterfaceError(
          `The better-sqlite3 Database given for '${this.dbName}' is closed: give an open one.`,
        );
      }
      try {
        if (this.synchronous !== null) external.pragma(`synchronous = ${this.synchronous}`);
        return prepareTransactions(external);
      } catch (error) {
        if (isBusy(error)) throw new LockUnavailable(error);
        throw toPersistenceError(error, `Cannot configure SQLite database '${this.dbName}'`);
      }
    }
    const Database = loadSqliteDriver(this.driver);
    const target = this.target;
    const context = `Cannot open SQLite database '${this.dbName}'`;
    if (!target.memory) {
      // better-sqlite3 reports a missing directory as a TypeError; say what to do instead.
      const dir = dirname(target.filename);
      if (!directoryExists(dir)) {
        throw new OperationalError(
          `${context}: the directory '${dir}' does not exist. Create it, or set SQLITE_DBNAME ` +
            'to a path in an existing directory.',
        );
      }
    }
    let db: SqliteDatabase;
    try {
      db = new Database(target.filename, {
        readonly: target.readonly,
        fileMustExist: target.fileMustExist,
        timeout: Math.min(this.lockTimeout, SQLITE_BUSY_TIMEOUT),
      });
    } catch (error) {
      throw toPersistenceError(error, context);
    }
    try {
      if (!target.memory && !target.readonly) {
        const mode = db.pragma('journal_mode', { simple: true });
        if (String(mode).toLowerCase() !== 'wal') db.pragma('journal_mode = WAL');
      }
      db.pragma(`synchronous = ${this.synchronous ?? 'FULL'}`);
      return prepareTransactions(db);
    } catch (error) {
      db.close();
      // Switching to WAL needs a moment without other writers: try again later.
      if (isBusy(error)) throw new LockUnavailable(error);
      throw toPersistenceError(error, `Cannot configure SQLite database '${this.dbName}'`);
    }
  }
}

function prepareTransactions(db: SqliteDatabase): SqliteConnection {
  return {
    db,
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  };
}

function isDatabase(value: unknown): value is SqliteDatabase {
  const db = value as Partial<SqliteDatabase> | null;
  return (
    typeof db === 'object' &&
    db !== null &&
    typeof db.prepare === 'function' &&
    typeof db.exec === 'function' &&
    typeof db.pragma === 'function' &&
    typeof db.name === 'string'
  );
}

function directoryExists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
