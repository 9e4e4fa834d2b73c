import type { StoreTable, StoreTables, TrackingPosition } from '../persistence/store-tables.js';
import { qualified } from './identifiers.js';
import type { PostgresFactory } from './postgres-factory.js';

/** The suffix of tracking tables (`{name}_tracking`, Python's unnamed `notification_tracking`). */
const TRACKING_SUFFIX = '_tracking';

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The tables of an application in a PostgreSQL schema: those whose names start with the
 * application's name lower-cased and `_` (`dogschool_events`, `dogschool_snapshots`,
 * `dogschool_tracking`, …; Python's `stored_events`, `stored_snapshots` and
 * `notification_tracking` for an unnamed one), and every tracking table of the schema.
 */
export class PostgresStoreTables implements StoreTables {
  readonly backend = 'postgres';
  readonly eventsTable: string;
  readonly trackingTable: string;
  readonly location: string;
  private readonly factory: PostgresFactory;
  private readonly prefixes: readonly string[];

  constructor(factory: PostgresFactory) {
    this.factory = factory;
    const s = factory.settings;
    const name = factory.env.name.toLowerCase();
    this.prefixes = name === '' ? ['stored_', 'notification_'] : [`${name}_`];
    this.eventsTable = `${s.schema}.${name || 'stored'}_events`;
    this.trackingTable = `${s.schema}.${name || 'notification'}${TRACKING_SUFFIX}`;
    this.location =
      `postgres://${s.user ?? ''}@${s.host ?? 'localhost'}:${s.port ?? 5432}/${s.dbname ?? ''} ` +
      `(schema ${s.schema})`;
  }

  private get schema(): string {
    return this.factory.settings.schema;
  }

  private async query<R>(text: string, values: unknown[] = []): Promise<R[]> {
    const result = await this.factory.datastore.read({ text, values });
    return result.rows as R[];
  }

  async check(): Promise<void> {
    await this.query('SELECT 1');
  }

  async tables(): Promise<StoreTable[]> {
    const rows = await this.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND ' +
        `table_type = 'BASE TABLE' AND (${this.prefixes
          .map((_, i) => `table_name LIKE $${i + 2}`)
          .join(' OR ')}) ORDER BY table_name`,
      [this.schema, ...this.prefixes.map((p) => `${escapeLike(p)}%`)],
    );
    const tables: StoreTable[] = [];
    for (const { table_name: name } of rows) {
      const [count] = await this.query<{ count: string | number }>(
        `SELECT COUNT(*) AS count FROM ${qualified(this.schema, name)}`,
      );
      tables.push({ name: `${this.schema}.${name}`, rows: Number(count?.count ?? 0) });
    }
    return tables;
  }

  async eventsTablesFound(): Promise<string[]> {
    const rows = await this.query<{ table_name: string }>(
      'SELECT c.table_name FROM information_schema.columns c WHERE c.table_schema = $1 AND ' +
        "c.column_name = 'notification_id' AND c.table_name LIKE '%\\_events' AND EXISTS " +
        '(SELECT 1 FROM information_schema.columns o WHERE o.table_schema = c.table_schema ' +
        "AND o.table_name = c.table_name AND o.column_name = 'originator_version') " +
        'ORDER BY c.table_name',
      [this.schema],
    );
    return rows.map((row) => `${this.schema}.${row.table_name}`);
  }

  async trackingPositions(): Promise<TrackingPosition[]> {
    const tables = await this.query<{ table_name: string }>(
      'SELECT c.table_name FROM information_schema.columns c WHERE c.table_schema = $1 AND ' +
        "c.column_name = 'application_name' AND c.table_name LIKE '%\\_tracking' AND EXISTS " +
        '(SELECT 1 FROM information_schema.columns n WHERE n.table_schema = c.table_schema ' +
        "AND n.table_name = c.table_name AND n.column_name = 'notification_id') " +
        'ORDER BY c.table_name',
      [this.schema],
    );
    const positions: TrackingPosition[] = [];
    for (const { table_name: table } of tables) {
      const rows = await this.query<{ application_name: string; id: string | number }>(
        `SELECT application_name, MAX(notification_id) AS id FROM ${qualified(this.schema, table)} ` +
          'GROUP BY application_name ORDER BY application_name',
      );
      for (const row of rows) {
        positions.push({
          table: `${this.schema}.${table}`,
          applicationName: row.application_name,
          notificationId: Number(row.id),
        });
      }
    }
    return positions;
  }

  readerName(table: string): string {
    const name = table.slice(table.lastIndexOf('.') + 1);
    return name.endsWith(TRACKING_SUFFIX) ? name.slice(0, -TRACKING_SUFFIX.length) : name;
  }
}
