import { IntegrityError, OperationalError } from '../persistence/errors.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { invalidRowError } from './invalid-row-error.js';

/** The application name of the row that marks a tracking table as single-row (Python's). */
export const TRACKING_MIGRATION_ID = '__migration__';

/** Python's name of the SQLite tracking table. */
export const TRACKING_TABLE_NAME = 'tracking';

/**
 * The tracking table of a SQLite database, as Python 9.5 keeps it: by default one row per
 * upstream application (`PRIMARY KEY (application_name)`), updated by an upsert that only moves
 * forward, plus a `__migration__` row that marks the table as single-row; or, with
 * `SINGLE_ROW_TRACKING=f`, the legacy table with one row per processed notification. A legacy
 * table found in single-row mode is migrated as Python migrates it (renamed to
 * `old1_tracking`, its greatest id per application copied into a new table).
 *
 * In both modes a tracking id not greater than the application's recorded one is an
 * `IntegrityError`. Used by the tracking and process recorders; `insert` must be called
 * inside a write transaction.
 */
export class SQLiteTrackingTable {
  /** Whether the table keeps one row per application. */
  readonly singleRow: boolean;
  private upsertStatement!: SqliteStatement;
  private insertStatement!: SqliteStatement;
  private maxStatement!: SqliteStatement;
  private forgetStatement!: SqliteStatement;

  constructor(singleRow: boolean) {
    this.singleRow = singleRow;
  }

  /** Python's DDL for the mode. */
  createTableStatement(): string {
    return this.singleRow
      ? `CREATE TABLE IF NOT EXISTS ${TRACKING_TABLE_NAME} (application_name TEXT, ` +
          'notification_id INTEGER, PRIMARY KEY (application_name)) WITHOUT ROWID'
      : `CREATE TABLE IF NOT EXISTS ${TRACKING_TABLE_NAME} (application_name TEXT, ` +
          'notification_id INTEGER, PRIMARY KEY (application_name, notification_id)) WITHOUT ROWID';
  }

  /**
   * Creates the table, or migrates a legacy one, inside the caller's write transaction.
   *
   * @throws OperationalError in multi-row mode when the table is a single-row one.
   */
  createTable(db: SqliteDatabase): void {
    const exists =
      db
        .prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?")
        .pluck(true)
        .get(TRACKING_TABLE_NAME) !== undefined;
    const marked =
      exists &&
      db
        .prepare(`SELECT 1 FROM ${TRACKING_TABLE_NAME} WHERE application_name=?`)
        .pluck(true)
        .get(TRACKING_MIGRATION_ID) !== undefined;
    if (!this.singleRow) {
      if (marked) throw multiRowOnSingleRowTable();
      db.exec(this.createTableStatement());
      return;
    }
    if (exists && marked) return;
    let carried: [string, number][] = [];
    if (exists) {
      carried = db
        .prepare(
          `SELECT application_name, MAX(notification_id) FROM ${TRACKING_TABLE_NAME} ` +
            'GROUP BY application_name',
        )
        .raw(true)
        .all() as [string, number][];
      db.exec(`ALTER TABLE ${TRACKING_TABLE_NAME} RENAME TO old1_${TRACKING_TABLE_NAME}`);
    }
    db.exec(this.createTableStatement());
    const insert = db.prepare(`INSERT INTO ${TRACKING_TABLE_NAME} VALUES (?, ?)`);
    insert.run(TRACKING_MIGRATION_ID, 1);
    for (const [name, id] of carried) insert.run(name, id);
  }

  /**
   * Prepares the statements (after the table exists).
   *
   * @throws OperationalError in multi-row mode when the table is a single-row one.
   */
  prepare(db: SqliteDatabase): void {
    this.maxStatement = db
      .prepare(`SELECT MAX(notification_id) FROM ${TRACKING_TABLE_NAME} WHERE application_name=?`)
      .pluck(true);
    this.forgetStatement = db.prepare(
      `DELETE FROM ${TRACKING_TABLE_NAME} WHERE application_name=? AND application_name<>?`,
    );
    if (this.singleRow) {
      this.upsertStatement = db
        .prepare(
          `INSERT INTO ${TRACKING_TABLE_NAME} VALUES (?, ?) ON CONFLICT (application_name) ` +
            'DO UPDATE SET notification_id = excluded.notification_id ' +
            `WHERE ${TRACKING_TABLE_NAME}.notification_id < excluded.notification_id ` +
            'RETURNING notification_id',
        )
        .pluck(true);
    } else {
      if (this.maxStatement.get(TRACKING_MIGRATION_ID) != null) throw multiRowOnSingleRowTable();
      this.insertStatement = db.prepare(`INSERT INTO ${TRACKING_TABLE_NAME} VALUES (?, ?)`);
    }
  }

  /**
   * Records the tracking, in the caller's write transaction.
   *
   * @throws IntegrityError when the id is not greater than the application's recorded one.
   */
  insert(tracking: Tracking): void {
    const { applicationName, notificationId } = tracking;
    if (this.singleRow) {
      if (this.upsertStatement.get(applicationName, notificationId) !== undefined) return;
    } else {
      const max = this.maxStatement.get(applicationName) as number | null;
      if (max === null || notificationId > max) {
        this.insertStatement.run(applicationName, notificationId);
        return;
      }
    }
    const max = this.max(applicationName);
    throw new IntegrityError(
      `Tracking notification ID ${notificationId} not greater than current max tracking ID ` +
        `${max} for application '${applicationName}': that notification has already been ` +
        'processed (perhaps by a concurrent processor). Skip it, or resume from the recorded ' +
        'position.',
    );
  }

  /** Deletes the application's tracking (a view being rebuilt), in the caller's transaction. */
  forget(applicationName: string): void {
    this.forgetStatement.run(applicationName, TRACKING_MIGRATION_ID);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  max(applicationName: string): number | null {
    const max = this.maxStatement.get(applicationName) as number | null | undefined;
    if (max === null || max === undefined) return null;
    if (!Number.isSafeInteger(max)) {
      throw invalidRowError(
        TRACKING_TABLE_NAME,
        'this SQLite database',
        `the row of application ${JSON.stringify(applicationName)}`,
        [{ name: 'notification_id', value: max, expected: 'integer' }],
      );
    }
    return max;
  }
}

function multiRowOnSingleRowTable(): OperationalError {
  return new OperationalError(
    "Can't do multi-row tracking with single-row tracking table: the table has been migrated " +
      'to one row per application. Unset SINGLE_ROW_TRACKING (the default is true).',
  );
}
