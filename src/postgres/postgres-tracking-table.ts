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

  /**
   * One simple-protocol text (literals inlined, so that it goes in one round trip with `BEGIN`)
   * that begins a batch's transaction, makes every other batch of the same application wait
   * for it, and reads the id recorded before. With single-row tracking it inserts the
   * application's row with the batch's tracking when there is none, and otherwise locks that
   * row (which also makes single writes of that application wait) and reads its latest
   * committed id; with a row per notification it takes a transaction-level advisory lock on the
   * table and application, then reads the greatest id. Each statement of the text reads what
   * was committed when it started, so the id read is the one recorded once the lock is held.
   * Its results are read by `readBeginLocked`.
   *
   * @internal
   */
  beginLockedText(tracking: Tracking): string {
    const name = quoteLiteral(tracking.applicationName);
    if (!this.datastore.settings.singleRowTracking) {
      return (
        `BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${quoteLiteral(this.table)} || ` +
        `'/' || ${name}, 0)); ` +
        `SELECT MAX(notification_id) AS notification_id FROM ${this.table} WHERE ` +
        `application_name = ${name}`
      );
    }
    return (
      `BEGIN; INSERT INTO ${this.table} VALUES (${name}, ${tracking.notificationId}) ` +
      'ON CONFLICT (application_name) DO NOTHING RETURNING 1; ' +
      `SELECT notification_id FROM ${this.table} WHERE application_name = ${name} FOR UPDATE`
    );
  }

  /**
   * Reads the results of `beginLockedText`: whether it inserted the row (single-row tracking,
   * with the batch's tracking already), else the id recorded before.
   *
   * @internal
   */
  readBeginLocked(results: unknown): { inserted: boolean; recorded: number | null } {
    const list = results as ReadonlyArray<{ rows: unknown[] }>;
    const singleRow = this.datastore.settings.singleRowTracking;
    if (singleRow && (list[1]?.rows.length ?? 0) > 0) return { inserted: true, recorded: null };
    const row = list[2]?.rows[0] as Record<string, unknown> | unknown[] | undefined;
    const value = Array.isArray(row) ? row[0] : row?.notification_id;
    return { inserted: false, recorded: value === undefined ? null : parseId(value) };
  }

  /**
   * Single-row tracking: the text that records the tracking in the row `beginLockedText`
   * locked, then commits (one round trip).
   *
   * @internal
   */
  updateAndCommitText(tracking: Tracking): string {
    return (
      `UPDATE ${this.table} SET notification_id = ${tracking.notificationId} WHERE ` +
      `application_name = ${quoteLiteral(tracking.applicationName)}; COMMIT`
    );
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

/** A string as a PostgreSQL literal (as pg's `escapeLiteral`: `E'…'` when it has backslashes). */
function quoteLiteral(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** An id read as text or as a number (a user's pool may not parse int8). */
function parseId(value: unknown): number | null {
  if (value === null) return null;
  const id = typeof value === 'string' ? Number(value) : value;
  return toSafeInteger(Number.isSafeInteger(id) ? id : value, 'tracking id');
}
