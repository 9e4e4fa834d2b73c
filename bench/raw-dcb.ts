/**
 * The DCB workload's storage work on the bare drivers, with no library in between.
 *
 * PostgreSQL (pg): Python 9.5's TT tables (`{prefix}_rawdcb_tt_main` and `_tt_tag`, the bench's
 * own, without the library's `uuid` column), the library's read statement for a query whose
 * items all have tags (the events and, in the same statement, the head), and one call of a
 * plpgsql function of the bench's own that does what Python's `dcb_conditional_append_tt` does:
 * `SET LOCAL lock_timeout`, `LOCK TABLE … IN EXCLUSIVE MODE`, the condition checked through the
 * tag table by each item's first tag, the main and tag rows inserted, a NOTIFY; no row when the
 * condition fails. Its arguments are plain arrays (the query items' types and tags, and the
 * events' types, data and tags, as array literals) rather than Python's composite types. A pool
 * of the library's size, named statements, autocommit calls.
 *
 * SQLite (better-sqlite3): the library's DCB schema without the `uuid` column (the events table
 * with its `(type, id)` index, the tag table with its `(tag, main_id)` index), WAL and the same
 * `synchronous`; the same read (the head, then the events up to it) and, per append, one
 * `BEGIN IMMEDIATE` transaction that checks the condition with the library's SELECT (LIMIT 1)
 * and inserts the main and tag rows.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { type PostgresSettings, pgConfig } from './backends.js';

/** A DCB event as the workload makes it. */
export interface DcbNewEvent {
  readonly type: string;
  readonly data: Uint8Array;
  readonly tags: readonly string[];
}

/** One event of a boundary, as a decision needs it. */
export interface DcbReadEvent {
  readonly type: string;
  readonly data: Uint8Array;
}

/** What reading a boundary gives: its events (ascending) and the head to append after. */
export interface DcbBoundary {
  readonly events: DcbReadEvent[];
  readonly head: number | null;
}

/**
 * A subscription command's consistency boundary: the course's definition, capacity changes and
 * subscriptions, and the student's subscriptions (tags and types).
 */
export interface DcbBoundaryQuery {
  /** Items `{ types, tags }`; each has tags. */
  readonly items: ReadonlyArray<{
    readonly types: readonly string[];
    readonly tags: readonly string[];
  }>;
}

/** The storage operations of the DCB workload (the library's recorder, or a bare driver). */
export interface DcbStorage {
  /** Creates the tables (not timed). */
  setUp(): Promise<void>;
  /** Appends events without a condition (the untimed set-up). */
  appendUnconditional(events: readonly DcbNewEvent[]): Promise<void>;
  /** Reads a boundary: its events and the head. */
  read(query: DcbBoundaryQuery): Promise<DcbBoundary>;
  /** Appends one event unless an event after `after` matches `query`: whether it committed. */
  appendIf(event: DcbNewEvent, query: DcbBoundaryQuery, after: number | null): Promise<boolean>;
  /** Calls of the append functions so far (null when not counted). */
  appendCalls(): number | null;
  close(): Promise<void>;
}

/** A PostgreSQL array literal of strings, as the library sends arrays of arrays. */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

const TABLE_OPTIONS =
  'WITH (autovacuum_enabled = true, autovacuum_vacuum_threshold = 100000000, ' +
  'autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 1000, ' +
  'autovacuum_analyze_scale_factor = 0.01)';

/** The DCB workload on bare pg. */
export class RawDcbPostgres implements DcbStorage {
  private readonly pool: pg.Pool;
  private readonly main: string;
  private readonly tag: string;
  private readonly fn: string;
  private readonly readSql: string;
  private readonly appendSql: string;
  private readonly insertSql: string;

  constructor(settings: PostgresSettings, tablePrefix: string, poolSize: number) {
    this.pool = new pg.Pool({ ...pgConfig(settings), max: poolSize });
    this.pool.on('error', () => {
      // An idle client's connection dropped: the pool replaces it.
    });
    this.main = `${tablePrefix}_rawdcb_tt_main`;
    this.tag = `${tablePrefix}_rawdcb_tt_tag`;
    this.fn = `${tablePrefix}_rawdcb_conditional_append_tt`;
    // The library's read of a query whose items all have tags (PostgresDCBRecorder.read), with
    // the data selected as bytea.
    this.readSql =
      'WITH q AS MATERIALIZED (SELECT u.ty::text[] AS ty, u.tg::text[] AS tg ' +
      'FROM unnest($3::text[], $4::text[]) AS u(ty, tg)) ' +
      `(SELECT m.id, m.type, m.data, m.tags FROM ${this.main} m WHERE m.id > $1 AND m.id IN ` +
      `(SELECT t.main_id FROM ${this.tag} t WHERE t.tag = ANY ($2::text[]) AND t.main_id > $1) ` +
      'AND EXISTS (SELECT FROM q WHERE m.tags @> q.tg AND (cardinality(q.ty) = 0 OR ' +
      'm.type = ANY (q.ty))) ORDER BY m.id) ' +
      `UNION ALL SELECT (SELECT max(id) FROM ${this.main}), NULL, NULL, NULL`;
    this.appendSql =
      `SELECT * FROM ${this.fn}($1::text[], $2::text[], $3::bigint, $4::text[], ` +
      '$5::bytea[], $6::text[])';
    this.insertSql =
      `WITH ins AS (INSERT INTO ${this.main} (type, data, tags) SELECT e.ty, e.da, e.tg::text[] ` +
      'FROM unnest($1::text[], $2::bytea[], $3::text[]) WITH ORDINALITY AS e(ty, da, tg, o) ' +
      'ORDER BY e.o RETURNING id, tags) ' +
      `INSERT INTO ${this.tag} (tag, main_id) SELECT x.tag, ins.id FROM ins, unnest(ins.tags) AS x(tag)`;
  }

  async setUp(): Promise<void> {
    const { main, tag } = this;
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${main} (id bigserial, type text NOT NULL, data bytea, ` +
        `tags text[] NOT NULL) ${TABLE_OPTIONS}`,
    );
    await this.pool.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${main}_idx_id_type ON ${main} (id) INCLUDE (type)`,
    );
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${tag} (tag text, main_id bigint REFERENCES ${main} (id)) ` +
        TABLE_OPTIONS,
    );
    await this.pool.query(
      `CREATE INDEX IF NOT EXISTS ${tag}_idx_tag_main_id ON ${tag} (tag, main_id)`,
    );
    // Python's dcb_conditional_append_tt, with plain arrays instead of its composite types.
    await this.pool.query(`CREATE OR REPLACE FUNCTION ${this.fn}(
  p_item_types text[], p_item_tags text[], p_after bigint,
  p_types text[], p_data bytea[], p_tags text[]) RETURNS SETOF bigint
LANGUAGE plpgsql AS $body$
BEGIN
  SET LOCAL lock_timeout = '5s';
  LOCK TABLE ${main} IN EXCLUSIVE MODE;
  IF EXISTS (
    SELECT FROM unnest(p_item_types, p_item_tags) AS q(ty, tg)
    JOIN ${tag} t ON t.tag = (q.tg::text[])[1] AND t.main_id > COALESCE(p_after, 0)
    JOIN ${main} m ON m.id = t.main_id
    WHERE m.tags @> q.tg::text[]
      AND (coalesce(cardinality(q.ty::text[]), 0) = 0 OR m.type = ANY (q.ty::text[]))) THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH ins AS (
    INSERT INTO ${main} (type, data, tags)
    SELECT e.ty, e.da, e.tg::text[] FROM unnest(p_types, p_data, p_tags) AS e(ty, da, tg)
    RETURNING id, tags),
  tagged AS (
    INSERT INTO ${tag} (tag, main_id) SELECT x.tag, ins.id FROM ins, unnest(ins.tags) AS x(tag))
  SELECT max(ins.id) FROM ins;
  NOTIFY ${main};
END
$body$`);
    // Open the whole pool now, so connecting is not timed.
    const clients = await Promise.all(
      Array.from({ length: this.pool.options.max }, () => this.pool.connect()),
    );
    for (const client of clients) client.release();
  }

  async appendUnconditional(events: readonly DcbNewEvent[]): Promise<void> {
    await this.pool.query(this.insertSql, [
      events.map((e) => e.type),
      events.map((e) => e.data),
      events.map((e) => textArrayLiteral(e.tags)),
    ]);
  }

  async read(query: DcbBoundaryQuery): Promise<DcbBoundary> {
    // Unnamed, as the library's read: a prepared read settles on a generic plan (a scan of the
    // main table) while the store is small.
    const result = await this.pool.query({
      text: this.readSql,
      values: [
        0,
        query.items.map((i) => i.tags[0]),
        query.items.map((i) => textArrayLiteral(i.types)),
        query.items.map((i) => textArrayLiteral(i.tags)),
      ],
      rowMode: 'array',
    });
    const events: DcbReadEvent[] = [];
    let head: number | null = null;
    for (const row of result.rows as unknown[][]) {
      if (row[1] === null) head = row[0] === null ? null : Number(row[0]);
      else events.push({ type: row[1] as string, data: row[2] as Uint8Array });
    }
    return { events, head };
  }

  async appendIf(
    event: DcbNewEvent,
    query: DcbBoundaryQuery,
    after: number | null,
  ): Promise<boolean> {
    const result = await this.pool.query({
      name: 'rawdcb_append',
      text: this.appendSql,
      values: [
        query.items.map((i) => textArrayLiteral(i.types)),
        query.items.map((i) => textArrayLiteral(i.tags)),
        after ?? 0,
        [event.type],
        [event.data],
        [textArrayLiteral(event.tags)],
      ],
      rowMode: 'array',
    });
    return result.rows.length > 0;
  }

  appendCalls(): number | null {
    return null;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

type Statement = Database.Statement<unknown[], unknown>;

/** The DCB workload on bare better-sqlite3. */
export class RawDcbSqlite implements DcbStorage {
  private readonly path: string;
  private readonly synchronous: string;
  private db: Database.Database | null = null;
  private maxStmt!: Statement;
  private insertMain!: Statement;
  private insertTag!: Statement;
  private readonly selects = new Map<string, Statement>();
  private readonly main = 'rawdcb_events_tt_main';
  private readonly tag = 'rawdcb_events_tt_tag';

  constructor(path: string, synchronous: string) {
    this.path = path;
    this.synchronous = synchronous;
  }

  async setUp(): Promise<void> {
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.synchronous}`);
    const { main, tag } = this;
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${main} (id INTEGER PRIMARY KEY, type TEXT NOT NULL, ` +
        'data BLOB, tags TEXT NOT NULL)',
    );
    db.exec(`CREATE INDEX IF NOT EXISTS ${main}_idx_type_id ON ${main} (type, id)`);
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${tag} (tag TEXT NOT NULL, main_id INTEGER NOT NULL ` +
        `REFERENCES ${main} (id))`,
    );
    db.exec(`CREATE INDEX IF NOT EXISTS ${tag}_idx_tag_main_id ON ${tag} (tag, main_id)`);
    this.maxStmt = db.prepare(`SELECT MAX(id) FROM ${main}`).pluck(true);
    this.insertMain = db.prepare(`INSERT INTO ${main} (type, data, tags) VALUES (?, ?, ?)`);
    this.insertTag = db.prepare(`INSERT INTO ${tag} (tag, main_id) VALUES (?, ?)`);
    this.db = db;
  }

  async appendUnconditional(events: readonly DcbNewEvent[]): Promise<void> {
    this.db!.transaction(() => {
      for (const event of events) this.insert(event);
    }).immediate();
  }

  async read(query: DcbBoundaryQuery): Promise<DcbBoundary> {
    const head = this.maxStmt.get() as number | null;
    if (head === null) return { events: [], head: null };
    const rows = this.select(query, 'id, type, data', 0, head, -1) as [
      number,
      string,
      Uint8Array,
    ][];
    return { events: rows.map((r) => ({ type: r[1], data: r[2] })), head };
  }

  async appendIf(
    event: DcbNewEvent,
    query: DcbBoundaryQuery,
    after: number | null,
  ): Promise<boolean> {
    return this.db!.transaction(() => {
      const conflict = this.select(query, 'id, type', after ?? 0, Number.MAX_SAFE_INTEGER, 1);
      if (conflict.length > 0) return false;
      this.insert(event);
      return true;
    }).immediate();
  }

  appendCalls(): number | null {
    return null;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }

  private insert(event: DcbNewEvent): void {
    const id = this.insertMain.run(
      event.type,
      event.data,
      JSON.stringify(event.tags),
    ).lastInsertRowid;
    for (const tag of new Set(event.tags)) this.insertTag.run(tag, id);
  }

  /**
   * The library's SELECT (sqliteDCBSelect) for items that each have types and one tag: the
   * positions of each item through the tag table joined to the events for the type, their
   * union, the events at those positions.
   */
  private select(
    query: DcbBoundaryQuery,
    columns: string,
    after: number,
    upTo: number,
    limit: number,
  ): unknown[] {
    const params: unknown[] = [];
    let key = columns;
    for (const item of query.items) {
      key += `:${item.types.length}`;
      params.push(...item.types, item.tags[0], after, upTo);
    }
    params.push(limit);
    let statement = this.selects.get(key);
    if (statement === undefined) {
      // Prepared once per shape, as a program on the bare driver would.
      const subqueries = query.items.map(
        (item) =>
          `SELECT t0.main_id FROM ${this.tag} t0 JOIN ${this.main} m ON m.id = t0.main_id AND ` +
          `m.type IN (${item.types.map(() => '?').join(',')}) ` +
          'WHERE t0.tag = ? AND t0.main_id > ? AND t0.main_id <= ?',
      );
      const sql =
        `SELECT ${columns} FROM ${this.main} WHERE id IN (${subqueries.join(' UNION ')}) ` +
        'ORDER BY id ASC LIMIT ?';
      statement = this.db!.prepare(sql).raw(true);
      this.selects.set(key, statement);
    }
    return statement.all(params);
  }
}
