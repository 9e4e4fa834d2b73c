import { describeValue } from '../utils/describe-value.js';
import type { SqliteDatabase } from './driver.js';
import type { OriginatorIdType, SqliteSynchronous } from './sqlite-datastore.js';

/**
 * Typed options of `SQLiteFactory`, on top of the environment: each option given overrides its
 * environment key (the keys still switch infrastructure without code changes).
 */
export interface SQLiteFactoryOptions {
  /**
   * An open better-sqlite3 `Database` of yours for the recorders to use (Drizzle's
   * `drizzle({ client })` style), instead of `SQLITE_DBNAME`. You own it: the factory's
   * `close()` leaves it open, and the only pragma set on it is `synchronous`, when given here
   * or by `SQLITE_SYNCHRONOUS`. Its busy timeout stays yours (see docs/sqlite.md).
   */
  database?: SqliteDatabase;
  /** The database's name: a path, `:memory:` or a `file:` URI (`SQLITE_DBNAME`). */
  dbName?: string;
  /**
   * Milliseconds a write waits for another connection's write lock (`SQLITE_LOCK_TIMEOUT`,
   * which is in seconds; default 5000). The wait does not block the event loop.
   */
  lockTimeout?: number;
  /** `PRAGMA synchronous` (`SQLITE_SYNCHRONOUS`; default `FULL`). */
  synchronous?: SqliteSynchronous;
  /** How originator ids are stored (`ORIGINATOR_ID_TYPE`; default `uuid`). */
  originatorIdType?: OriginatorIdType;
  /** One tracking row per upstream application (`SINGLE_ROW_TRACKING`; default true). */
  singleRowTracking?: boolean;
  /** Whether recorders create their tables (`CREATE_TABLE`; default true). */
  createTable?: boolean;
}

const CHECKS: {
  readonly [K in keyof Required<SQLiteFactoryOptions>]: (v: unknown) => string | null;
} = {
  database: (v) =>
    typeof v === 'object' && v !== null && typeof (v as SqliteDatabase).prepare === 'function'
      ? null
      : 'an open better-sqlite3 Database',
  dbName: (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'a non-empty string'),
  lockTimeout: (v) =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 31 - 1
      ? null
      : 'a whole number of milliseconds ≥ 0',
  synchronous: (v) =>
    v === 'OFF' || v === 'NORMAL' || v === 'FULL' || v === 'EXTRA'
      ? null
      : "'OFF', 'NORMAL', 'FULL' or 'EXTRA'",
  originatorIdType: (v) => (v === 'uuid' || v === 'text' ? null : "'uuid' or 'text'"),
  singleRowTracking: (v) => (typeof v === 'boolean' ? null : 'a boolean'),
  createTable: (v) => (typeof v === 'boolean' ? null : 'a boolean'),
};

/**
 * Checks `SQLiteFactory`'s typed options: `undefined` options are left to the environment.
 *
 * @throws TypeError naming an unknown option, or an option and what it expects.
 */
export function checkSQLiteFactoryOptions(options: unknown): SQLiteFactoryOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw new TypeError(`SQLiteFactory options must be an object, not ${typeof options}.`);
  }
  const record = options as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (!Object.hasOwn(CHECKS, key)) {
      throw new TypeError(
        `Unknown SQLiteFactory option '${key}': expected one of ${Object.keys(CHECKS).join(', ')}.`,
      );
    }
    if (value === undefined) continue;
    const expected = CHECKS[key as keyof SQLiteFactoryOptions](value);
    if (expected !== null) {
      throw new TypeError(
        `SQLiteFactory option '${key}' must be ${expected}, not ${describeValue(value)}.`,
      );
    }
  }
  if (record.database !== undefined && record.dbName !== undefined) {
    throw new TypeError(
      "SQLiteFactory options 'database' and 'dbName' exclude each other: give the Database " +
        'you opened, or the name of one for the factory to open.',
    );
  }
  return record as SQLiteFactoryOptions;
}
