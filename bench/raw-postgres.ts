/**
 * W1's storage work on bare `pg`: the library's schema (Python's `{name}_events` with a
 * `bigserial` notification id and its unique index), a pool of the same size, named (prepared)
 * statements, autocommit single-row INSERTs.
 */
import pg from 'pg';
import { type PostgresSettings, pgConfig } from './backends.js';
import type { RawDriver, RawRow } from './raw-w1.js';

/** The bare pg driver for W1. */
export class RawPostgres implements RawDriver {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly insertSql: string;
  private readonly selectSql: string;
  private readonly pageSql: string;

  constructor(settings: PostgresSettings, tablePrefix: string, poolSize: number) {
    this.pool = new pg.Pool({ ...pgConfig(settings), max: poolSize });
    this.pool.on('error', () => {
      // An idle client's connection dropped: the pool replaces it.
    });
    this.table = `${tablePrefix}_events`;
    this.insertSql = `INSERT INTO ${this.table} (originator_id, originator_version, topic, state) VALUES ($1, $2, $3, $4)`;
    this.selectSql = `SELECT originator_id, originator_version, topic, state FROM ${this.table} WHERE originator_id = $1 ORDER BY originator_version ASC`;
    this.pageSql = `SELECT notification_id, originator_id, originator_version, topic, state FROM ${this.table} WHERE notification_id > $1 ORDER BY notification_id LIMIT $2`;
  }

  async setUp(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (originator_id uuid NOT NULL, ` +
        'originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, ' +
        'PRIMARY KEY (originator_id, originator_version)) WITH (autovacuum_enabled = true, ' +
        'autovacuum_vacuum_threshold = 100000000, autovacuum_vacuum_scale_factor = 0.5, ' +
        'autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0.01)',
    );
    await this.pool.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${this.table}_notification_id_idx ` +
        `ON ${this.table} (notification_id ASC)`,
    );
    // Open the whole pool now, so connecting is not timed.
    const clients = await Promise.all(
      Array.from({ length: this.pool.options.max }, () => this.pool.connect()),
    );
    for (const client of clients) client.release();
  }

  async insert(row: RawRow): Promise<void> {
    await this.pool.query({
      name: 'raw_insert',
      text: this.insertSql,
      values: [row.originatorId, row.originatorVersion, row.topic, row.state],
    });
  }

  async selectCount(originatorId: string): Promise<number> {
    const result = await this.pool.query({
      name: 'raw_select',
      text: this.selectSql,
      values: [originatorId],
    });
    return result.rows.length;
  }

  async readAll(pageSize: number): Promise<number> {
    let count = 0;
    let last = 0;
    for (;;) {
      const result = await this.pool.query<{ notification_id: string }>({
        name: 'raw_page',
        text: this.pageSql,
        values: [last, pageSize],
      });
      const rows = result.rows;
      if (rows.length === 0) return count;
      count += rows.length;
      last = Number(rows[rows.length - 1]!.notification_id);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The server's version and durability settings. */
export async function postgresInfo(
  settings: PostgresSettings,
): Promise<{ version: string; synchronous_commit: string; fsync: string }> {
  const client = new pg.Client(pgConfig(settings));
  await client.connect();
  try {
    const show = async (name: string): Promise<string> => {
      const result = await client.query<Record<string, string>>(`SHOW ${name}`);
      return String(result.rows[0]?.[name] ?? '');
    };
    return {
      version: await show('server_version'),
      synchronous_commit: await show('synchronous_commit'),
      fsync: await show('fsync'),
    };
  } finally {
    await client.end();
  }
}
