/**
 * The live latency of a projection on bare `pg`, the yardstick of the library's PostgreSQL
 * runner: an event row is inserted and NOTIFY sent in one autocommit statement; a separate
 * client LISTENing wakes, selects the new rows, decodes their state, and commits a counter row
 * update plus a tracking upsert in one transaction. Each sample is insert-start → view commit,
 * one event at a time. The pipeline uses tables of its own (`{prefix}_events`, `_counters`,
 * `_tracking`, the library's schemas), dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type PostgresSettings, pgConfig } from './backends.js';
import { latencyFigures } from './latency.js';

/** Unreported samples first, so that statements are prepared and the code paths warm. */
const WARM_UP_SAMPLES = 20;

/** The bare pipeline's p50 and p99, in milliseconds. */
export interface RawLatencyFigures {
  p50_ms: number;
  p99_ms: number;
}

/** A row the listener read. */
interface EventRow {
  notification_id: string;
  topic: string;
  state: Buffer;
}

/**
 * Measures `samples` events through the bare pipeline (after a short warm-up) on tables named
 * `{prefix}_…`, which it creates and drops.
 */
export async function measureRawProjectionLatency(
  settings: PostgresSettings,
  prefix: string,
  samples: number,
): Promise<RawLatencyFigures> {
  const pipeline = new RawProjectionPipeline(settings, prefix);
  try {
    await pipeline.setUp();
    for (let i = 0; i < WARM_UP_SAMPLES; i++) await pipeline.sample();
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) latencies.push(await pipeline.sample());
    const { p50_ms, p99_ms } = latencyFigures(latencies);
    return { p50_ms, p99_ms };
  } finally {
    await pipeline.close();
  }
}

/** The writer, the listener and their tables. */
class RawProjectionPipeline {
  private readonly writer: pg.Client;
  private readonly reader: pg.Client;
  private readonly events: string;
  private readonly counters: string;
  private readonly tracking: string;
  private readonly channel: string;
  private readonly insertSql: string;
  private readonly selectSql: string;
  private readonly counterSql: string;
  private readonly trackingSql: string;
  /** The greatest notification id the view has committed. */
  private position = 0;
  /** Whether the listener is reading and committing now; a wake-up then reads again after. */
  private busy = false;
  private again = false;
  /** The sample waiting for the view to commit its event, with that event's id. */
  private waiting: { id: number; resolve: (committedAt: number) => void } | null = null;
  private failure: unknown = null;
  private readonly state = new TextEncoder().encode(
    '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-01T00:00:00.000000+00:00"},"trick":"trick-0"}',
  );

  constructor(settings: PostgresSettings, prefix: string) {
    this.writer = new pg.Client(pgConfig(settings));
    this.reader = new pg.Client(pgConfig(settings));
    this.events = `${prefix}_events`;
    this.counters = `${prefix}_counters`;
    this.tracking = `${prefix}_tracking`;
    this.channel = this.events;
    this.insertSql =
      `WITH e AS (INSERT INTO ${this.events} (originator_id, originator_version, topic, state) ` +
      'VALUES ($1, $2, $3, $4) RETURNING notification_id) ' +
      `SELECT e.notification_id, pg_notify('${this.channel}', '') FROM e`;
    this.selectSql =
      `SELECT notification_id, topic, state FROM ${this.events} ` +
      'WHERE notification_id > $1 ORDER BY notification_id LIMIT 500';
    this.counterSql =
      `INSERT INTO ${this.counters} AS c VALUES ($1, $2) ON CONFLICT (name) ` +
      'DO UPDATE SET count = c.count + EXCLUDED.count';
    this.trackingSql =
      `INSERT INTO ${this.tracking} AS t VALUES ($1, $2) ON CONFLICT (application_name) ` +
      'DO UPDATE SET notification_id = EXCLUDED.notification_id ' +
      'WHERE t.notification_id < EXCLUDED.notification_id';
  }

  async setUp(): Promise<void> {
    // A failure while no sample runs is seen by the next sample, never unhandled.
    this.failed.catch(() => {});
    await this.writer.connect();
    await this.reader.connect();
    this.connected = true;
    await this.dropTables();
    await this.writer.query(
      `CREATE TABLE ${this.events} (originator_id uuid NOT NULL, ` +
        'originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, ' +
        'PRIMARY KEY (originator_id, originator_version))',
    );
    await this.writer.query(
      `CREATE UNIQUE INDEX ${this.events}_notification_id_idx ON ${this.events} (notification_id)`,
    );
    await this.writer.query(
      `CREATE TABLE ${this.counters} (name text PRIMARY KEY, count bigint NOT NULL)`,
    );
    await this.writer.query(
      `CREATE TABLE ${this.tracking} (application_name text PRIMARY KEY, notification_id bigint)`,
    );
    this.reader.on('notification', () => this.wake());
    this.reader.on('error', (error) => this.fail(error));
    await this.reader.query(`LISTEN "${this.channel}"`);
  }

  /** Inserts one event and resolves to the milliseconds until the view committed it. */
  async sample(): Promise<number> {
    if (this.failure !== null) throw this.failure;
    const started = performance.now();
    const committed = new Promise<number>((resolve) => {
      this.waiting = { id: Number.POSITIVE_INFINITY, resolve };
    });
    const result = await this.writer.query<{ notification_id: string }>({
      name: 'rawp_insert',
      text: this.insertSql,
      values: [randomUUID(), 1, 'Dog.TrickAdded', this.state],
    });
    const id = Number(result.rows[0]!.notification_id);
    const waiting = this.waiting!;
    if (this.position >= id) {
      // The view committed it before the insert's reply arrived here.
      this.waiting = null;
      waiting.resolve(this.committedAt);
    } else waiting.id = id;
    const committedAt = await Promise.race([committed, this.failed]);
    return committedAt - started;
  }

  /** When the view last committed. */
  private committedAt = 0;
  private rejectFailed: ((error: unknown) => void) | null = null;
  private readonly failed = new Promise<never>((_, reject) => {
    this.rejectFailed = reject;
  });
  private connected = false;

  private fail(error: unknown): void {
    this.failure ??= error;
    this.rejectFailed?.(error);
  }

  /** A NOTIFY arrived: read and commit what is new (again after, if one arrives meanwhile). */
  private wake(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    void this.process().then(
      () => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** Selects the new rows, decodes them, and commits the counter and the tracking together. */
  private async process(): Promise<void> {
    const { rows } = await this.reader.query<EventRow>({
      name: 'rawp_select',
      text: this.selectSql,
      values: [this.position],
    });
    if (rows.length === 0) return;
    const decoder = new TextDecoder();
    let last = this.position;
    const counts = new Map<string, number>();
    for (const row of rows) {
      const state = JSON.parse(decoder.decode(row.state)) as { trick?: unknown };
      if (state.trick === undefined) throw new Error('a raw event row lost its state');
      counts.set(row.topic, (counts.get(row.topic) ?? 0) + 1);
      last = Number(row.notification_id);
    }
    await this.reader.query('BEGIN');
    for (const [topic, count] of counts) {
      await this.reader.query({
        name: 'rawp_counter',
        text: this.counterSql,
        values: [topic, count],
      });
    }
    await this.reader.query({
      name: 'rawp_tracking',
      text: this.trackingSql,
      values: ['RawUpstream', last],
    });
    await this.reader.query('COMMIT');
    this.committedAt = performance.now();
    this.position = last;
    const waiting = this.waiting;
    if (waiting !== null && waiting.id <= last) {
      this.waiting = null;
      waiting.resolve(this.committedAt);
    }
  }

  private async dropTables(): Promise<void> {
    await this.writer.query(
      `DROP TABLE IF EXISTS ${this.events}, ${this.counters}, ${this.tracking} CASCADE`,
    );
  }

  async close(): Promise<void> {
    try {
      if (this.connected) await this.dropTables();
    } finally {
      await Promise.allSettled([this.reader.end(), this.writer.end()]);
    }
  }
}
