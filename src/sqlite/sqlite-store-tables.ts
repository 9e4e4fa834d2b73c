import { existsSync } from 'node:fs';
import { InspectionError } from '../persistence/inspection-error.js';
import type { StoreTable, StoreTables, TrackingPosition } from '../persistence/store-tables.js';
import type { SqliteDatabase } from './driver.js';
import type { SQLiteFactory } from './sqlite-factory.js';

/** Tables holding what the library records, in a SQLite file (its `sqlite_master`). */
const TRACKING_TABLE = 'tracking';
const EVENTS_TABLE = 'stored_events';

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The tables of an application's SQLite database: every table of the file (an application
 * has a file of its own), `stored_events`, and the `tracking` table.
 */
export class SQLiteStoreTables implements StoreTables {
  readonly backend = 'sqlite';
  readonly eventsTable = EVENTS_TABLE;
  readonly trackingTable = TRACKING_TABLE;
  readonly location: string;
  private readonly factory: SQLiteFactory;

  constructor(factory: SQLiteFactory) {
    this.factory = factory;
    const target = factory.datastore.target;
    this.location = target.memory ? `${factory.datastore.dbName} (in memory)` : target.filename;
  }

  /**
   * @throws InspectionError when the file does not exist (better-sqlite3 would create an
   * empty one), naming the environment key it came from.
   */
  async check(): Promise<void> {
    const { target, dbName } = this.factory.datastore;
    if (target.memory || existsSync(target.filename)) return;
    const env = this.factory.env;
    const key =
      env.createKeys('SQLITE_DBNAME').find((k) => env.vars[k] !== undefined) ?? 'SQLITE_DBNAME';
    throw new InspectionError(
      `The SQLite database '${dbName}' (from ${key}) does not exist. Check the path (relative ` +
        `to the current directory) and the application's name: its file is set by ` +
        `${env.name ? `${env.name.toUpperCase()}_SQLITE_DBNAME or ` : ''}SQLITE_DBNAME.`,
    );
  }

  private db(): SqliteDatabase {
    return this.factory.datastore.connect().db;
  }

  private tableNames(): string[] {
    return this.db()
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' " +
          "ESCAPE '\\' ORDER BY name",
      )
      .pluck()
      .all() as string[];
  }

  async tables(): Promise<StoreTable[]> {
    await this.check();
    const db = this.db();
    return this.tableNames().map((name) => ({
      name,
      rows: Number(
        db
          .prepare(`SELECT COUNT(*) FROM ${quote(name)}`)
          .pluck()
          .get(),
      ),
    }));
  }

  async eventsTablesFound(): Promise<string[]> {
    await this.check();
    return this.tableNames().filter((name) => name === EVENTS_TABLE);
  }

  async trackingPositions(): Promise<TrackingPosition[]> {
    await this.check();
    if (!this.tableNames().includes(TRACKING_TABLE)) return [];
    const rows = this.db()
      .prepare(
        `SELECT application_name, MAX(notification_id) AS id FROM ${TRACKING_TABLE} ` +
          "WHERE application_name NOT LIKE '\\_\\_%' ESCAPE '\\' GROUP BY application_name " +
          'ORDER BY application_name',
      )
      .all() as { application_name: string; id: number | bigint }[];
    return rows.map((row) => ({
      table: TRACKING_TABLE,
      applicationName: row.application_name,
      notificationId: Number(row.id),
    }));
  }

  readerName(table: string): string {
    return `${table} in ${this.location}`;
  }
}
