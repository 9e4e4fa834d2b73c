import { DataError } from '../persistence/errors.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  checkApplicationName,
  checkTracking,
  checkTrackingQuery,
} from '../persistence/validation.js';
import type { PgPool } from './driver.js';
import { checkIdentifierLength, qualified } from './identifiers.js';
import { mapWriteError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { createTrackingTableSql } from './schema.js';
import { statementName } from './statement-name.js';
import { toSafeInteger } from './to-safe-integer.js';
import { trackingConflict } from './tracking-conflict.js';

/**
 * The tracking table of a tracking or process recorder and its prepared statements: Python's
 * upsert (one row per upstream application; a legacy row per notification with
 * `SINGLE_ROW_TRACKING=no`) and max query.
 */
export class PostgresTrackingTable {
  /** The table's name (unqualified), e.g. `notification_tracking`. */
  readonly tableName: string;
  /** The table, schema-qualified and quoted. */
  readonly table: string;
  private readonly datastore: PostgresDatastore;
  private readonly insertText: string;
  private readonly insertName: string;
  private readonly maxText: string;
  private readonly maxName: string;

  /** @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes. */
  constructor(datastore: PostgresDatastore, tableName: string) {
    checkIdentifierLength(tableName);
    this.datastore = datastore;
    this.tableName = tableName;
    this.table = qualified(datastore.settings.schema, tableName);
    this.insertText = datastore.settings.singleRowTracking
      ? `INSERT INTO ${this.table} AS t VALUES ($1::text, $2::bigint) ON CONFLICT ` +
        '(application_name) DO UPDATE SET notification_id = $2::bigint WHERE ' +
        't.notification_id < $2::bigint RETURNING notification_id'
      : `INSERT INTO ${this.table} SELECT $1::text, $2::bigint WHERE NOT EXISTS (SELECT 1 FROM ` +
        `${this.table} WHERE application_name = $1::text AND notification_id >= $2::bigint) ` +
        'ON CONFLICT DO NOTHING RETURNING notification_id';
    this.insertName = statementName(this.insertText);
    this.maxText = `SELECT MAX(notification_id) FROM ${this.table} WHERE application_name = $1`;
    this.maxName = statementName(this.maxText);
  }

  /** Python 9.5's tracking table. */
  createTableSql(): string {
    return createTrackingTableSql(this.table, this.datastore.settings.singleRowTracking);
  }

  /**
   * Checks a tracking record's shape.
   *
   * @throws DataError as the memory recorders do, and for a NUL in the name.
   */
  static check(tracking: Tracking): void {
    checkTracking(tracking);
    if (tracking.applicationName.includes('\u0000')) {
      throw new DataError(
        'Tracking has a NUL character (\\u0000) in its applicationName, which PostgreSQL text ' +
          'cannot hold.',
      );
    }
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insert(tracking: Tracking): Promise<void> {
    PostgresTrackingTable.check(tracking);
    let recorded: boolean;
    try {
      recorded = await this.insertOn(this.datastore.pool, tracking);
    } catch (error) {
      throw mapWriteError(error, this.datastore.server);
    }
    if (!recorded) {
      const max = await this.max(tracking.applicationName);
      throw trackingConflict(tracking, max);
    }
  }

  /**
   * Records a checked position on the given connection (inside a caller's transaction, say),
   * resolving to whether it was greater than the recorded one, and so recorded. With one row per
   * application, the row stays locked until that transaction ends: a concurrent transaction
   * recording the same application waits for it, then finds its position taken.
   *
   * @internal
   */
  async insertOn(client: Pick<PgPool, 'query'>, tracking: Tracking): Promise<boolean> {
    const result = await client.query({
      name: this.insertName,
      text: this.insertText,
      values: [tracking.applicationName, tracking.notificationId],
      rowMode: 'array',
    });
    return result.rows.length > 0;
  }

  /**
   * The greatest notification id recorded for the application, read on the given connection.
   *
   * @internal
   */
  async maxOn(client: Pick<PgPool, 'query'>, applicationName: string): Promise<number | null> {
    const result = await client.query({
      name: this.maxName,
      text: this.maxText,
      values: [applicationName],
      rowMode: 'array',
    });
    const value = (result.rows[0] as unknown[] | undefined)?.[0];
    return value === null || value === undefined ? null : toSafeInteger(value, 'tracking id');
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async max(applicationName: string): Promise<number | null> {
    checkApplicationName(applicationName);
    const result = await this.datastore.read({
      name: this.maxName,
      text: this.maxText,
      values: [applicationName],
      rowMode: 'array',
    });
    const value = (result.rows[0] as unknown[] | undefined)?.[0];
    return value === null || value === undefined ? null : toSafeInteger(value, 'tracking id');
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async has(applicationName: string, notificationId?: number | null): Promise<boolean> {
    checkTrackingQuery(applicationName, notificationId);
    if (notificationId === null || notificationId === undefined) return true;
    const max = await this.max(applicationName);
    return max !== null && max >= notificationId;
  }
}
