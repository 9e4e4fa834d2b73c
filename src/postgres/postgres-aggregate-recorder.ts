import type {
  AggregateRecorder,
  InsertEventsOptions,
  SelectEventsOptions,
  SnapshotAndEvents,
  SnapshotReader,
} from '../persistence/recorders.js';
import type { StoredEvent } from '../persistence/stored-event.js';
import { checkSelectEvents } from '../persistence/validation.js';
import { eventsOfSql, rowsByOriginator, snapshotsAndEventsOfSql } from './batched-selects.js';
import { checkEvents } from './check-events.js';
import { checkIdentifierLength, qualified } from './identifiers.js';
import { isUuid } from './is-uuid.js';
import { mapWriteError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { PostgresRecorder } from './postgres-recorder.js';
import { ReadBatcher } from './read-batcher.js';
import { createEventsTableSql } from './schema.js';
import { statementName } from './statement-name.js';
import { toSafeInteger } from './to-safe-integer.js';

const EMPTY: StoredEvent[] = [];

/** A prepared statement: its SQL and its name. */
interface Statement {
  readonly text: string;
  readonly name: string;
}

/**
 * A PostgreSQL aggregate recorder (Python's `PostgresAggregateRecorder`), used for snapshots:
 * a table of events by originator id and version, Python 9.5's DDL. A batch is one multi-row
 * INSERT from parallel arrays (atomic; no table lock and no NOTIFY, as in Python); selects are
 * prepared statements. Selects of all of an originator's events, or of its latest snapshot and
 * the events after it, that would wait for a connection are combined into one statement when one
 * is free (`ReadBatcher`).
 */
export class PostgresAggregateRecorder
  extends PostgresRecorder
  implements AggregateRecorder, SnapshotReader
{
  /** The table's name (unqualified), e.g. `dogschool_snapshots`. */
  readonly tableName: string;
  /** The table, schema-qualified and quoted. */
  protected readonly table: string;
  /** Whether ids are PostgreSQL uuid (else text). */
  protected readonly uuidIds: boolean;
  private readonly insertText: string;
  private readonly selectStatements: (Statement | undefined)[] = new Array(32);
  private readonly snapshotStatements = new Map<string, Statement>();
  private readonly batchStatements = new Map<string, Statement>();
  /** Selects of all of an originator's events, combined while the connections are busy. */
  private readonly wholeReads: ReadBatcher<StoredEvent[]>;
  /** Selects of the latest snapshot and the events after it, by snapshot table, likewise. */
  private readonly snapshotReads = new Map<string, ReadBatcher<SnapshotAndEvents>>();

  /** @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes. */
  constructor(datastore: PostgresDatastore, tableName: string) {
    super(datastore);
    checkIdentifierLength(tableName);
    this.tableName = tableName;
    this.table = qualified(datastore.settings.schema, tableName);
    const idType = datastore.settings.originatorIdType;
    this.uuidIds = idType === 'uuid';
    this.insertText =
      `INSERT INTO ${this.table} (originator_id, originator_version, topic, state) ` +
      `SELECT * FROM unnest($1::${idType}[], $2::bigint[], $3::text[], $4::bytea[])`;
    this.wholeReads = new ReadBatcher(
      this.readConcurrency(),
      (id) => this.selectAll(id),
      (ids) => this.selectAllOf(ids),
    );
  }

  /** Python 9.5's table, without notification ids. */
  createTableStatements(): string[] {
    return [createEventsTableSql(this.table, this.datastore.settings.originatorIdType, false)];
  }

  protected requiredTables(): ReadonlyArray<readonly [string, string]> {
    return [[this.table, this.tableName]];
  }

  /**
   * Stores the events atomically (one statement) and resolves to `null` (application
   * recorders, which extend this class, resolve to notification ids). A version already
   * stored, or repeated in the batch, rejects with `IntegrityError` and stores nothing.
   */
  async insertEvents(
    storedEvents: readonly StoredEvent[],
    _options?: InsertEventsOptions,
  ): Promise<number[] | null> {
    checkEvents(storedEvents, this.datastore.settings.originatorIdType);
    const n = storedEvents.length;
    if (n === 0) return null;
    if (!this.isReady) await this.ready();
    const ids = new Array<string>(n);
    const versions = new Array<number>(n);
    const topics = new Array<string>(n);
    const states = new Array<Uint8Array>(n);
    for (let i = 0; i < n; i++) {
      const e = storedEvents[i]!;
      ids[i] = e.originatorId;
      versions[i] = e.originatorVersion;
      topics[i] = e.topic;
      states[i] = e.state;
    }
    try {
      await this.datastore.pool.query({
        name: statementName(this.insertText),
        text: this.insertText,
        values: [ids, versions, topics, states],
      });
    } catch (error) {
      throw mapWriteError(error, this.datastore.server);
    }
    return null;
  }

  /** The events of one originator, ordered by version (ascending unless `desc`). */
  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    checkSelectEvents(originatorId, options);
    const gt = options?.gt;
    const lte = options?.lte;
    const limit = options?.limit;
    // A string that is not a UUID cannot be in a uuid column (and would be a query error).
    if (this.uuidIds && !isUuid(originatorId)) return EMPTY.slice();
    if (!this.isReady) await this.ready();
    const whole =
      (gt === null || gt === undefined) &&
      (lte === null || lte === undefined) &&
      !options?.desc &&
      (limit === null || limit === undefined);
    if (whole && this.batchable(originatorId)) {
      return this.wholeReads.read(originatorId);
    }
    const values: unknown[] = [originatorId];
    let variant = 0;
    if (gt !== null && gt !== undefined) {
      variant |= 1;
      values.push(gt);
    }
    if (lte !== null && lte !== undefined) {
      variant |= 2;
      values.push(lte);
    }
    if (options?.desc) variant |= 4;
    if (limit !== null && limit !== undefined) {
      variant |= 8;
      values.push(limit);
    }
    return this.selectVariant(originatorId, variant, values);
  }

  /** All of one originator's events (the statement without options). */
  private selectAll(originatorId: string): Promise<StoredEvent[]> {
    return this.selectVariant(originatorId, 0, [originatorId]);
  }

  private async selectVariant(
    originatorId: string,
    variant: number,
    values: unknown[],
  ): Promise<StoredEvent[]> {
    const key = this.statesAsText ? variant | 16 : variant;
    const statement = this.selectStatements[key] ?? this.selectStatement(key);
    const result = await this.datastore.read({
      name: statement.name,
      text: statement.text,
      values,
      rowMode: 'array',
    });
    const rows = result.rows as unknown[][];
    const n = rows.length;
    const id = this.uuidIds ? originatorId.toLowerCase() : originatorId;
    const events = new Array<StoredEvent>(n);
    for (let i = 0; i < n; i++) events[i] = this.storedEvent(id, rows[i]!, 0);
    return events;
  }

  /**
   * Whether a select of this id may join a batch. A NUL cannot be in a text id (its select
   * fails): it must never fail a batch of others.
   */
  private batchable(originatorId: string): boolean {
    return this.uuidIds || !originatorId.includes('\u0000');
  }

  /** Selects a recorder runs at once before it combines those waiting: the pool's size. */
  private readConcurrency(): number {
    const { poolSize, maxOverflow } = this.datastore.settings;
    return poolSize + maxOverflow;
  }

  /** All of the events of each originator, in one statement, in the order of `originatorIds`. */
  private async selectAllOf(originatorIds: readonly string[]): Promise<StoredEvent[][]> {
    const statement = this.batchStatement('events', () =>
      eventsOfSql(this.table, this.stateColumn()),
    );
    const groups = await this.selectBatch(statement, originatorIds);
    return groups.map((rows) => rows.map((row) => this.storedEvent(row[0] as string, row, 1)));
  }

  /**
   * For each originator, the latest snapshot in `snapshotTable` and the events after it, in one
   * statement, in the order of `originatorIds`.
   */
  private async selectSnapshotsAndEventsOf(
    snapshotTable: string,
    originatorIds: readonly string[],
  ): Promise<SnapshotAndEvents[]> {
    const statement = this.batchStatement(`snapshots ${snapshotTable}`, () =>
      snapshotsAndEventsOfSql(
        this.table,
        snapshotTable,
        this.datastore.settings.originatorIdType,
        (column) => this.stateColumn(column),
      ),
    );
    const groups = await this.selectBatch(statement, originatorIds);
    return groups.map((rows) => {
      let snapshot: StoredEvent | null = null;
      const events: StoredEvent[] = [];
      for (const row of rows) {
        const stored = this.storedEvent(row[0] as string, row, 2);
        if (row[1] === true) snapshot = stored;
        else events.push(stored);
      }
      return { snapshot, events };
    });
  }

  /** A batched statement, made once per `kind` and state format. */
  private batchStatement(kind: string, makeText: () => string): Statement {
    const key = `${kind}:${this.statesAsText}`;
    let statement = this.batchStatements.get(key);
    if (statement === undefined) {
      const text = makeText();
      statement = { text, name: statementName(text) };
      this.batchStatements.set(key, statement);
    }
    return statement;
  }

  /**
   * Runs a batched statement (its `$1`: the distinct ids) and groups its rows (the id in column
   * 0) by originator, in the order of `originatorIds`; an originator asked for twice gets the
   * same rows twice.
   */
  private async selectBatch(
    statement: Statement,
    originatorIds: readonly string[],
  ): Promise<unknown[][][]> {
    // uuid ids come back in their lower-case text form.
    const keys = this.uuidIds ? originatorIds.map((id) => id.toLowerCase()) : originatorIds;
    const result = await this.datastore.read({
      name: statement.name,
      text: statement.text,
      values: [[...new Set(keys)]],
      rowMode: 'array',
    });
    return rowsByOriginator(result.rows as unknown[][], keys);
  }

  /**
   * The latest snapshot in `snapshots` (a recorder on the same database) at or before `lte`, and
   * this table's events of the originator after it, in one statement: one round trip instead of
   * two. Resolves to `null` for a recorder on another database.
   */
  async selectSnapshotAndEvents(
    originatorId: string,
    snapshots: AggregateRecorder,
    lte?: number | null,
  ): Promise<SnapshotAndEvents | null> {
    if (
      !(snapshots instanceof PostgresAggregateRecorder) ||
      snapshots.datastore !== this.datastore
    ) {
      return null;
    }
    checkSelectEvents(originatorId, { lte });
    if (this.uuidIds && !isUuid(originatorId)) return { snapshot: null, events: [] };
    if (!this.isReady) await this.ready();
    if (!snapshots.isReady) await snapshots.ready();
    const bounded = lte !== null && lte !== undefined;
    if (!bounded && this.batchable(originatorId)) {
      return this.snapshotReadsOf(snapshots.table).read(originatorId);
    }
    return this.selectSnapshotAndEventsAlone(originatorId, snapshots.table, lte ?? null);
  }

  /** The combining reader of snapshots in `snapshotTable` and events after them. */
  private snapshotReadsOf(snapshotTable: string): ReadBatcher<SnapshotAndEvents> {
    let reads = this.snapshotReads.get(snapshotTable);
    if (reads === undefined) {
      reads = new ReadBatcher(
        this.readConcurrency(),
        (id) => this.selectSnapshotAndEventsAlone(id, snapshotTable, null),
        (ids) => this.selectSnapshotsAndEventsOf(snapshotTable, ids),
      );
      this.snapshotReads.set(snapshotTable, reads);
    }
    return reads;
  }

  private async selectSnapshotAndEventsAlone(
    originatorId: string,
    snapshotTable: string,
    lte: number | null,
  ): Promise<SnapshotAndEvents> {
    const bounded = lte !== null;
    const statement = this.snapshotStatement(snapshotTable, bounded);
    const result = await this.datastore.read({
      name: statement.name,
      text: statement.text,
      values: bounded ? [originatorId, lte] : [originatorId],
      rowMode: 'array',
    });
    const rows = result.rows as unknown[][];
    const id = this.uuidIds ? originatorId.toLowerCase() : originatorId;
    let snapshot: StoredEvent | null = null;
    const events: StoredEvent[] = [];
    for (const row of rows) {
      // The first column says whether the row is the snapshot.
      if (row[0] === true) snapshot = this.storedEvent(id, row, 1);
      else events.push(this.storedEvent(id, row, 1));
    }
    return { snapshot, events };
  }

  /** Nothing of its own to release: the factory closes the shared pool. Safe to repeat. */
  async close(): Promise<void> {}

  /** The stored event in a row's version, topic and state columns, from column `at` on. */
  private storedEvent(originatorId: string, row: readonly unknown[], at: number): StoredEvent {
    return {
      originatorId,
      originatorVersion: toSafeInteger(row[at], 'originator version'),
      topic: row[at + 1] as string,
      state: this.stateBytes(row[at + 2]),
    };
  }

  private snapshotStatement(snapshotTable: string, bounded: boolean): Statement {
    const key = `${snapshotTable}:${bounded}:${this.statesAsText}`;
    let statement = this.snapshotStatements.get(key);
    if (statement === undefined) {
      const upTo = bounded ? ' AND originator_version <= $2' : '';
      // The snapshot row first (true), then the events after it by version.
      const text =
        `WITH s AS (SELECT originator_version, topic, state FROM ${snapshotTable} ` +
        `WHERE originator_id = $1${upTo} ORDER BY originator_version DESC LIMIT 1) ` +
        `SELECT true, originator_version, topic, ${this.stateColumn()} FROM s UNION ALL ` +
        `SELECT false, originator_version, topic, ${this.stateColumn()} FROM ${this.table} ` +
        'WHERE originator_id = $1 AND originator_version > ' +
        `COALESCE((SELECT originator_version FROM s), -9223372036854775808)${upTo} ` +
        'ORDER BY 1 DESC, 2';
      statement = { text, name: statementName(text) };
      this.snapshotStatements.set(key, statement);
    }
    return statement;
  }

  /** `variant`: bits for gt (1), lte (2), desc (4), limit (8), states as text (16). */
  private selectStatement(variant: number): Statement {
    let p = 1;
    const state = variant & 16 ? this.stateColumn() : 'state';
    let text = `SELECT originator_version, topic, ${state} FROM ${this.table} WHERE originator_id = $${p++}`;
    if (variant & 1) text += ` AND originator_version > $${p++}`;
    if (variant & 2) text += ` AND originator_version <= $${p++}`;
    text += ` ORDER BY originator_version ${variant & 4 ? 'DESC' : 'ASC'}`;
    if (variant & 8) text += ` LIMIT $${p++}`;
    const statement = { text, name: statementName(text) };
    this.selectStatements[variant] = statement;
    return statement;
  }
}
