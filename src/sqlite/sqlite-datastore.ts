import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InterfaceError, OperationalError } from '../persistence/errors.js';
import type { NotificationSignal } from '../persistence/notification-signal.js';
import {
  loadSqliteDriver,
  SQLITE_DRIVER_PACKAGE,
  type SqliteDatabase,
  type SqliteStatement,
} from './driver.js';
import { parseSqliteDbName, type SqliteTarget } from './sqlite-db-name.js';
import { toPersistenceError } from './sqlite-errors.js';

/** SQLite's `synchronous` settings, from least to most durable. */
export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/** How originator ids are stored: UUIDs as 32-char hex (Python's default) or any text. */
export type OriginatorIdType = 'uuid' | 'text';

/** Options of `SQLiteDatastore`, as the factory reads them from the environment. */
export interface SQLiteDatastoreOptions {
  /** Seconds to wait for another connection's write lock (`SQLITE_LOCK_TIMEOUT`; default 5). */
  lockTimeout?: number | null;
  /** `PRAGMA synchronous` (`SQLITE_SYNCHRONOUS`; default `FULL`, Python's durability). */
  synchronous?: SqliteSynchronous;
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

/** A connection and the transaction statements prepared on it once. */
export interface SqliteConnection {
  readonly db: SqliteDatabase;
  readonly begin: SqliteStatement;
  readonly commit: SqliteStatement;
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
 * opened on first use (never in the constructor), shared by all the factory's recorders. File
 * databases are switched to WAL mode, so readers never block the writer; `synchronous` is set
 * as configured; the lock timeout becomes SQLite's busy timeout, which bounds how long a write
 * waits for another process's write. better-sqlite3 is synchronous, so a write transaction
 * never spans an `await` and one connection serves the whole process without contention.
 *
 * Also the hub of in-process wake-ups: recorders register their subscription signals per
 * table, and each commit to a table wakes every subscription of this datastore on it.
 */
export class SQLiteDatastore {
  /** The `SQLITE_DBNAME` value. */
  readonly dbName: string;
  /** Where the database lives, as read from `dbName`. */
  readonly target: SqliteTarget;
  /** Seconds to wait for a lock held by another connection. */
  readonly lockTimeout: number;
  /** The `PRAGMA synchronous` setting. */
  readonly synchronous: SqliteSynchronous;
  /** Whether tracking keeps one row per upstream application. */
  readonly singleRowTracking: boolean;
  /** How originator ids are stored. */
  readonly originatorIdType: OriginatorIdType;
  /** Whether recorders create their tables. */
  readonly createTable: boolean;
  /** Whether the database is in memory (so no other process can write it). */
  readonly isMemory: boolean;

  private readonly driver: string;
  private connection: SqliteConnection | null = null;
  private closed = false;
  private readonly signals = new Map<string, Set<NotificationSignal>>();

  /** @throws TypeError for a bad database name or option. */
  constructor(dbName: string, options: SQLiteDatastoreOptions = {}) {
    this.dbName = dbName;
    this.target = parseSqliteDbName(dbName);
    const lockTimeout = options.lockTimeout ?? DEFAULT_SQLITE_LOCK_TIMEOUT;
    if (!Number.isInteger(lockTimeout) || lockTimeout < 0 || lockTimeout * 1000 > 2 ** 31 - 1) {
      throw new TypeError(
        `lockTimeout must be a whole number of seconds ≥ 0, not ${String(lockTimeout)}.`,
      );
    }
    this.lockTimeout = lockTimeout;
    this.synchronous = options.synchronous ?? 'FULL';
    if (!['OFF', 'NORMAL', 'FULL', 'EXTRA'].includes(this.synchronous)) {
      throw new TypeError(
        `synchronous must be OFF, NORMAL, FULL or EXTRA, not ${String(options.synchronous)}.`,
      );
    }
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

  /** Closes the connection; later use is an `InterfaceError`. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    const name = this.target.sharedMemoryName;
    if (connection === null) return;
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
        timeout: this.lockTimeout * 1000,
      });
    } catch (error) {
      throw toPersistenceError(error, context);
    }
    try {
      if (!target.memory && !target.readonly) {
        const mode = db.pragma('journal_mode', { simple: true });
        if (String(mode).toLowerCase() !== 'wal') db.pragma('journal_mode = WAL');
      }
      db.pragma(`synchronous = ${this.synchronous}`);
      return {
        db,
        begin: db.prepare('BEGIN IMMEDIATE'),
        commit: db.prepare('COMMIT'),
        rollback: db.prepare('ROLLBACK'),
      };
    } catch (error) {
      db.close();
      throw toPersistenceError(error, `Cannot configure SQLite database '${this.dbName}'`);
    }
  }
}

function directoryExists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
