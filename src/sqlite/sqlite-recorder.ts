import { InterfaceError } from '../persistence/errors.js';
import type { Closable } from '../persistence/recorders.js';
import type { SqliteDatabase } from './driver.js';
import { isBusy } from './is-busy.js';
import { lockTimeoutError } from './lock-timeout-error.js';
import { LockUnavailable } from './lock-unavailable.js';
import { openBatches } from './open-batches.js';
import { SQLiteDatastore, type SqliteConnection } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';

/**
 * The base of the SQLite recorders: connects on first use (or `ready()`), creates the
 * recorder's tables once if the datastore says so, then prepares its statements once. A
 * recorder given a database name instead of a datastore owns that datastore and closes it.
 */
export abstract class SQLiteRecorder implements Closable {
  /** The database this recorder uses (shared with the other recorders of its factory). */
  readonly datastore: SQLiteDatastore;
  /** The connection, once connected: the hot paths test it and go. */
  protected conn: SqliteConnection | null = null;
  /** Whether `close()` has been called. */
  protected closed = false;
  private readonly ownsDatastore: boolean;

  constructor(datastore: SQLiteDatastore | string) {
    if (typeof datastore === 'string') {
      this.datastore = new SQLiteDatastore(datastore);
      this.ownsDatastore = true;
    } else if (datastore instanceof SQLiteDatastore) {
      this.datastore = datastore;
      this.ownsDatastore = false;
    } else {
      throw new TypeError('A SQLite recorder needs a SQLiteDatastore or a database name.');
    }
  }

  /**
   * Connects, creates the tables (unless `CREATE_TABLE` is false) and prepares the statements
   * now rather than on first use, so that bad configuration fails at start-up.
   */
  async ready(): Promise<void> {
    if (this.conn !== null) return;
    try {
      this.connect();
    } catch (error) {
      if (!(error instanceof LockUnavailable)) throw error;
      // Another process holds the write lock (creating its tables, or writing): wait for it.
      await this.waitForLock(
        () => this.conn ?? this.connect(),
        error,
        () => `Cannot create tables in ${this.describeDatabase()}`,
      );
    }
  }

  /** Stops what the recorder runs; closes the datastore if the recorder owns it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn = null;
    this.onClose();
    if (this.ownsDatastore) this.datastore.close();
  }

  /** The statements that create this recorder's tables (Python's DDL). */
  abstract createTableStatements(): string[];

  /** Run in the table-creating transaction, after the DDL (tracking migration, for one). */
  protected afterCreateTables(_db: SqliteDatabase): void {}

  /** Prepares the recorder's statements on a connected database. */
  protected abstract prepare(db: SqliteDatabase): void;

  /** Releases what the recorder holds (subscriptions, waits) when it is closed. */
  protected onClose(): void {}

  /** A description of the recorder's database for error messages. */
  protected describeDatabase(): string {
    return `SQLite database '${this.datastore.dbName}'`;
  }

  /**
   * Begins a write transaction (`BEGIN IMMEDIATE`) on the connection.
   *
   * @throws LockUnavailable when another connection holds the write lock (after the short busy
   * timeout), or when a transaction is open on the connection (the user's own, on a connection
   * of the user's, or a view's batch): nothing was done, and the write can be attempted again
   * later.
   */
  protected begin(c: SqliteConnection): void {
    if (c.db.inTransaction) throw new LockUnavailable(null, openBatches.has(c.db));
    try {
      c.begin.run();
    } catch (error) {
      if (isBusy(error)) throw new LockUnavailable(error);
      throw error;
    }
  }

  /**
   * Runs `body(db)` in one synchronous write transaction: commits what it did, or, when it
   * throws, rolls back and rethrows its error (driver errors of the commit become the library's,
   * their messages starting with `context()`). When another connection holds the write lock,
   * waits for it without blocking the event loop, then runs `body` (it may run again if a commit
   * had to give way: in WAL mode, never).
   */
  protected writeTransaction<T>(
    body: (db: SqliteDatabase) => T,
    context: () => string,
  ): Promise<T> {
    let first: LockUnavailable | null = null;
    if (this.datastore.lockQueue.idle) {
      try {
        return Promise.resolve(this.attemptTransaction(body, context));
      } catch (error) {
        if (!(error instanceof LockUnavailable)) return Promise.reject(error);
        first = error;
      }
    }
    return this.waitForLock(() => this.attemptTransaction(body, context), first, context);
  }

  private attemptTransaction<T>(body: (db: SqliteDatabase) => T, context: () => string): T {
    const c = this.conn ?? this.connect();
    try {
      this.begin(c);
    } catch (error) {
      if (error instanceof LockUnavailable) throw error;
      throw toPersistenceError(error, context());
    }
    let result: T;
    try {
      result = body(c.db);
    } catch (error) {
      if (c.db.inTransaction) c.rollback.run();
      if (isBusy(error)) throw new LockUnavailable(error);
      throw error;
    }
    try {
      c.commit.run();
    } catch (error) {
      if (c.db.inTransaction) c.rollback.run();
      if (isBusy(error)) throw new LockUnavailable(error);
      throw toPersistenceError(error, context());
    }
    return result;
  }

  /**
   * Attempts `attempt` (a whole synchronous write) again later, without blocking the event loop,
   * until the lock is free or the lock timeout has passed (then an `OperationalError` whose
   * message starts with `context()` and says to raise `SQLITE_LOCK_TIMEOUT`).
   */
  protected waitForLock<T>(
    attempt: () => T,
    first: LockUnavailable | null,
    context: () => string,
  ): Promise<T> {
    return this.datastore.lockQueue.wait(attempt, first, (last) =>
      lockTimeoutError(last, context(), this.datastore.lockTimeout),
    );
  }

  /**
   * The slow path of the first call: connects, creates tables, prepares statements. Not
   * remembered when it fails, so a later call tries again.
   *
   * @throws LockUnavailable when another connection holds the write lock the DDL needs.
   */
  protected connect(): SqliteConnection {
    if (this.closed) {
      throw new InterfaceError(
        `This SQLite recorder of ${this.describeDatabase()} is closed: use a new one.`,
      );
    }
    const connection = this.datastore.connect();
    if (this.datastore.createTable) {
      try {
        this.begin(connection);
      } catch (error) {
        if (error instanceof LockUnavailable) throw error;
        throw toPersistenceError(error, `Cannot create tables in ${this.describeDatabase()}`);
      }
      try {
        for (const statement of this.createTableStatements()) connection.db.exec(statement);
        this.afterCreateTables(connection.db);
        connection.commit.run();
      } catch (error) {
        if (connection.db.inTransaction) connection.rollback.run();
        if (isBusy(error)) throw new LockUnavailable(error);
        throw toPersistenceError(error, `Cannot create tables in ${this.describeDatabase()}`);
      }
    }
    try {
      this.prepare(connection.db);
    } catch (error) {
      throw toPersistenceError(error, `Cannot prepare statements for ${this.describeDatabase()}`);
    }
    this.conn = connection;
    return connection;
  }
}
