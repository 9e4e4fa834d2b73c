import { DataError, IntegrityError } from '../persistence/errors.js';
import type {
  AggregateRecorder,
  InsertEventsOptions,
  SelectEventsOptions,
} from '../persistence/recorders.js';
import type { StoredEvent } from '../persistence/stored-event.js';
import { checkSelectEvents, checkStoredEvents } from '../persistence/validation.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { hexToUuid, uuidToHex } from './originator-ids.js';
import type { SQLiteDatastore, SqliteConnection } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';
import { checkTableName, SQLiteRecorder } from './sqlite-recorder.js';

type EventRow = [version: number, topic: string, state: Uint8Array];

/**
 * A SQLite aggregate recorder (Python's `SQLiteAggregateRecorder`), e.g. for snapshots: table
 * `stored_<purpose>` (`stored_snapshots`), `WITHOUT ROWID`, with Python's columns. A batch is one
 * synchronous transaction: a version already stored, or repeated in the batch, rejects with
 * `IntegrityError` and nothing of the batch is stored. UUID ids are stored as 32-char hex
 * (`ORIGINATOR_ID_TYPE=uuid`, where another id is a `DataError`), or as given (`text`).
 */
export class SQLiteAggregateRecorder extends SQLiteRecorder implements AggregateRecorder {
  /** The table's name. */
  readonly eventsTableName: string;
  /** Whether ids are UUIDs stored as hex (else text stored as given). */
  protected readonly uuidIds: boolean;
  /** `INSERT INTO <table> VALUES (?,?,?,?)`, prepared once. */
  protected insertStatement!: SqliteStatement;
  private readonly selectStatements: (SqliteStatement | undefined)[] = new Array(16);
  private db: SqliteDatabase | null = null;

  constructor(datastore: SQLiteDatastore | string, eventsTableName = 'stored_events') {
    super(datastore);
    this.eventsTableName = checkTableName(eventsTableName);
    this.uuidIds = this.datastore.originatorIdType === 'uuid';
  }

  /** Python's DDL for an aggregate recorder's table. */
  createTableStatements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.eventsTableName} (originator_id TEXT, ` +
        'originator_version INTEGER, topic TEXT, state BLOB, PRIMARY KEY ' +
        '(originator_id, originator_version)) WITHOUT ROWID',
    ];
  }

  /**
   * Stores the events atomically and resolves to `null`. A version already stored, or repeated
   * in the batch, rejects with `IntegrityError` and stores nothing of the batch.
   */
  async insertEvents(
    storedEvents: readonly StoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<number[] | null> {
    this.write(storedEvents, options, null);
    return null;
  }

  /** The events of one originator, ordered by version (ascending unless `desc`). */
  async selectEvents(originatorId: string, options?: SelectEventsOptions): Promise<StoredEvent[]> {
    checkSelectEvents(originatorId, options);
    const gt = options?.gt;
    const lte = options?.lte;
    const limit = options?.limit;
    let key: string = originatorId;
    let id: string = originatorId;
    if (this.uuidIds) {
      const hex = uuidToHex(originatorId);
      // No event of an id that is not a UUID can have been stored.
      if (hex === null) return [];
      key = hex;
      id = hexToUuid(hex);
    }
    if (this.conn === null) this.connect();
    const params: unknown[] = [key];
    let mask = 0;
    if (gt !== null && gt !== undefined) {
      mask |= 1;
      params.push(gt);
    }
    if (lte !== null && lte !== undefined) {
      mask |= 2;
      params.push(lte);
    }
    if (options?.desc) mask |= 4;
    if (limit !== null && limit !== undefined) {
      mask |= 8;
      params.push(limit);
    }
    let rows: EventRow[];
    try {
      const statement = this.selectStatements[mask] ?? this.prepareSelect(mask);
      rows = statement.all(params) as EventRow[];
    } catch (error) {
      throw toPersistenceError(
        error,
        `Cannot select events from table '${this.eventsTableName}' of ${this.describeDatabase()}`,
      );
    }
    const n = rows.length;
    const events = new Array<StoredEvent>(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const version = row[0];
      if (version > Number.MAX_SAFE_INTEGER) throw unsafe('originator_version', version);
      events[i] = { originatorId: id, originatorVersion: version, topic: row[1], state: row[2] };
    }
    return events;
  }

  protected prepare(db: SqliteDatabase): void {
    this.db = db;
    this.selectStatements.fill(undefined);
    this.insertStatement = db.prepare(`INSERT INTO ${this.eventsTableName} VALUES (?,?,?,?)`);
    // Fails now, rather than on first read, if the table is missing.
    this.prepareSelect(0);
  }

  /**
   * Checks and stores a batch in one transaction, filling `ids` with notification ids when
   * given, and running `writeExtra` in the same transaction.
   */
  protected write(
    storedEvents: readonly StoredEvent[],
    options: InsertEventsOptions | undefined,
    ids: number[] | null,
  ): void {
    checkStoredEvents(storedEvents);
    const n = storedEvents.length;
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const event = storedEvents[i]!;
      keys[i] = this.uuidIds ? this.hexKey(event.originatorId, i) : event.originatorId;
    }
    this.checkOptions(options);
    // Nothing to write: no transaction (process recorders may still have tracking to record).
    if (n === 0 && (options?.tracking === null || options?.tracking === undefined)) return;
    const c = this.conn ?? this.connect();
    const statement = this.insertStatement;
    let i = 0;
    if (n === 1 && (options?.tracking === null || options?.tracking === undefined)) {
      // One statement is atomic by itself: no BEGIN and COMMIT round (the common save).
      try {
        const event = storedEvents[0]!;
        const result = statement.run(keys[0], event.originatorVersion, event.topic, event.state);
        if (ids !== null) ids[0] = result.lastInsertRowid as number;
      } catch (error) {
        throw this.writeError(error, storedEvents, keys, 0);
      }
      if (ids !== null && ids[0]! > Number.MAX_SAFE_INTEGER) {
        throw unsafe('notification id (rowid)', ids[0]!);
      }
      return;
    }
    try {
      c.begin.run();
      for (; i < n; i++) {
        const event = storedEvents[i]!;
        const result = statement.run(keys[i], event.originatorVersion, event.topic, event.state);
        if (ids !== null) {
          const id = result.lastInsertRowid as number;
          if (id > Number.MAX_SAFE_INTEGER) throw unsafe('notification id (rowid)', id);
          ids[i] = id;
        }
      }
      i = -1;
      this.writeExtra(c, options);
      c.commit.run();
    } catch (error) {
      if (c.db.inTransaction) c.rollback.run();
      throw this.writeError(error, storedEvents, keys, i);
    }
  }

  /** Checks the insert options before the transaction (process recorders check tracking). */
  protected checkOptions(_options: InsertEventsOptions | undefined): void {}

  /** Runs inside the insert's transaction, after the events (process recorders add tracking). */
  protected writeExtra(
    _connection: SqliteConnection,
    _options: InsertEventsOptions | undefined,
  ): void {}

  private hexKey(originatorId: string, index: number): string {
    const hex = uuidToHex(originatorId);
    if (hex === null) {
      throw new DataError(
        `Stored event at index ${index} has originator id ${JSON.stringify(originatorId)}, ` +
          "which is not a UUID, but ORIGINATOR_ID_TYPE is 'uuid' (the default): set " +
          'ORIGINATOR_ID_TYPE=text to store ids that are not UUIDs.',
      );
    }
    return hex;
  }

  private writeError(
    error: unknown,
    events: readonly StoredEvent[],
    keys: readonly string[],
    index: number,
  ): Error {
    const code = (error as { code?: unknown } | null)?.code;
    if (
      index >= 0 &&
      index < events.length &&
      (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
    ) {
      const event = events[index]!;
      const key = keys[index];
      for (let j = 0; j < index; j++) {
        if (keys[j] === key && events[j]!.originatorVersion === event.originatorVersion) {
          return new IntegrityError(
            `Stored events are not unique: originator ${event.originatorId} version ` +
              `${event.originatorVersion} appears more than once in the batch. Nothing of this ` +
              'batch was stored.',
            { cause: error },
          );
        }
      }
      return new IntegrityError(
        `Stored event already recorded: originator ${event.originatorId} version ` +
          `${event.originatorVersion}. A concurrent writer may have saved first: reload the ` +
          'aggregate and retry the command. Nothing of this batch was stored.',
        { cause: error },
      );
    }
    return toPersistenceError(
      error,
      `Cannot insert events into table '${this.eventsTableName}' of ${this.describeDatabase()} ` +
        '(nothing of the batch was stored)',
    );
  }

  private prepareSelect(mask: number): SqliteStatement {
    const db = this.db;
    if (db === null) throw new TypeError('not connected');
    let sql = `SELECT originator_version, topic, state FROM ${this.eventsTableName} WHERE originator_id=?`;
    if (mask & 1) sql += ' AND originator_version>?';
    if (mask & 2) sql += ' AND originator_version<=?';
    sql += mask & 4 ? ' ORDER BY originator_version DESC' : ' ORDER BY originator_version ASC';
    if (mask & 8) sql += ' LIMIT ?';
    const statement = db.prepare(sql).raw(true);
    this.selectStatements[mask] = statement;
    return statement;
  }
}

/** A stored integer that a JS number cannot hold exactly. */
export function unsafe(what: string, value: number | bigint): DataError {
  return new DataError(
    `A stored ${what} (${String(value)}) is above Number.MAX_SAFE_INTEGER and cannot be ` +
      'represented exactly: this library cannot read this row.',
  );
}
