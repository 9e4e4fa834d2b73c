import { createRequire } from 'node:module';
import { InfrastructureFactoryError } from '../persistence/errors.js';

/** What a better-sqlite3 statement's `run()` returns (the parts this module uses). */
export interface SqliteRunResult {
  /** How many rows the statement inserted, updated or deleted. */
  readonly changes: number;
  /** The rowid of the last row inserted. */
  readonly lastInsertRowid: number | bigint;
}

/**
 * The parts of a better-sqlite3 `Statement` this module uses. A local interface, so that the
 * module's declarations never reference the driver's types (the driver is an optional peer).
 */
export interface SqliteStatement {
  /** Runs the statement with these parameters. */
  run(...params: unknown[]): SqliteRunResult;
  /** The first row of the result, or `undefined` when there is none. */
  get(...params: unknown[]): unknown;
  /** Every row of the result. */
  all(...params: unknown[]): unknown[];
  /** Rows as arrays rather than objects (faster to build). */
  raw(toggle?: boolean): SqliteStatement;
  /** Only the first column of each row. */
  pluck(toggle?: boolean): SqliteStatement;
}

/**
 * The parts of a better-sqlite3 `Database` this module uses: a better-sqlite3 `Database` is
 * one, so a user's own connection can be given to `SQLiteFactory` (option `database`).
 */
export interface SqliteDatabase {
  /** Compiles a statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs SQL text of one or more statements, without parameters. */
  exec(sql: string): unknown;
  /** Runs a PRAGMA; `{ simple: true }` returns the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Closes the connection. */
  close(): unknown;
  /** The filename it was opened with (`:memory:` for an in-memory database). */
  readonly name: string;
  /** Whether it is an in-memory database. */
  readonly memory: boolean;
  /** Whether it was opened read-only. */
  readonly readonly: boolean;
  /** Whether the connection is open. */
  readonly open: boolean;
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: boolean;
}

/** Options of better-sqlite3's `Database` constructor that this module uses. */
export interface SqliteDatabaseOptions {
  /** Opens the database read-only. */
  readonly?: boolean;
  /** Fails instead of creating the file when it does not exist. */
  fileMustExist?: boolean;
  /** Milliseconds to wait for a lock held by another connection (SQLite's busy timeout). */
  timeout?: number;
}

/** better-sqlite3's `Database` class. */
export type SqliteDatabaseConstructor = new (
  filename: string,
  options?: SqliteDatabaseOptions,
) => SqliteDatabase;

/** The package the SQLite module needs. */
export const SQLITE_DRIVER_PACKAGE = 'better-sqlite3';

const loaded = new Map<string, SqliteDatabaseConstructor>();

/**
 * Loads better-sqlite3 (or the named module) synchronously, once, on first use: the driver is an
 * optional peer dependency, so importing `eventsourcing/sqlite` never needs it.
 *
 * @throws InfrastructureFactoryError saying to `npm install better-sqlite3` when the package
 * is missing, or to rebuild it when its native addon cannot be loaded.
 */
export function loadSqliteDriver(
  moduleName: string = SQLITE_DRIVER_PACKAGE,
): SqliteDatabaseConstructor {
  const cached = loaded.get(moduleName);
  if (cached !== undefined) return cached;
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(moduleName);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new InfrastructureFactoryError(
        `The SQLite persistence module needs the '${moduleName}' package, which is not ` +
          `installed: run 'npm install ${moduleName}' (it is an optional peer dependency of ` +
          'eventsourcing).',
        { cause: error },
      );
    }
    throw new InfrastructureFactoryError(
      `The '${moduleName}' package is installed but could not be loaded ` +
        `(${error instanceof Error ? error.message : String(error)}): its native addon may ` +
        `have been built for another Node.js version; run 'npm rebuild ${moduleName}'.`,
      { cause: error },
    );
  }
  const ctor = (mod as { default?: unknown } | null)?.default ?? mod;
  if (typeof ctor !== 'function') {
    throw new InfrastructureFactoryError(
      `The '${moduleName}' module does not export a Database class: install better-sqlite3 ` +
        `(run 'npm install ${SQLITE_DRIVER_PACKAGE}').`,
    );
  }
  loaded.set(moduleName, ctor as SqliteDatabaseConstructor);
  return ctor as SqliteDatabaseConstructor;
}
