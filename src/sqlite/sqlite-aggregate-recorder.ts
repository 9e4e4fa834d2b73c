import { DataError, IntegrityError } from '../persistence/errors.js';
import type {
  AggregateRecorder,
  InsertEventsOptions,
  SelectEventsOptions,
} from '../persistence/recorders.js';
import type { StoredEvent, Tracking } from '../persistence/stored-event.js';
import { checkSelectEvents, checkStoredEvents } from '../persistence/validation.js';
import { checkTableName } from './check-table-name.js';
import type { SqliteDatabase, SqliteRunResult, SqliteStatement } from './driver.js';
import { invalidRowError } from './invalid-row-error.js';
import { isBusy } from './is-busy.js';
import { LockUnavailable } from './lock-unavailable.js';
import { openBatches } from './open-batches.js';
import { hexToUuid, uuidToHex } from './originator-ids.js';
import type { SQLiteDatastore, SqliteConnection } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';
import { SQLiteRecorder } from './sqlite-recorder.js';

type EventRow = [version: number, topic: string, state: Uint8Array];

/** The greatest notification id a JavaScript number holds exactly. */
const MAX_ID = Number.MAX_SAFE_INTEGER;

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
  /**
   * The statement of a one-event save outside a transaction (one statement is atomic by
   * itself), or `null` when every save needs a transaction: a subclass overrides `writeExtra`,
   * or the connection is the user's (which may be inside the user's own transaction).
   */
  protected singleInsertStatement: SqliteStatement | null = null;
  private readonly selectStatements: (SqliteStatement | undefined)[] = new Array(16);
  private db: SqliteDatabase | null = null;
  // Whether a subclass adds statements to each save: then no save skips the transaction.
  private readonly writesExtra: boolean;

  constructor(datastore: SQLiteDatastore | string, eventsTableName = 'stored_events') {
    super(datastore);
    this.eventsTableName = checkTableName(eventsTableName);
    this.uuidIds = this.datastore.originatorIdType === 'uuid';
    this.writesExtra = this.writeExtra !== SQLiteAggregateRecorder.prototype.writeExtra;
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
    const waiting = this.write(storedEvents, options, null);
    if (waiting !== undefined) await waiting;
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
    if (this.conn === null) await this.ready();
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
      const topic = row[1];
      const state = row[2];
      if (
        !Number.isSafeInteger(version) ||
        typeof topic !== 'string' ||
        !(state instanceof Uint8Array)
      ) {
        throw invalidRowError(
          this.eventsTableName,
          this.describeDatabase(),
          `the row with originator_id ${JSON.stringify(key)} and originator_version ${String(version)}`,
          [
            { name: 'originator_version', value: version, expected: 'integer' },
            { name: 'topic', value: topic, expected: 'text' },
            { name: 'state', value: state, expected: 'blob' },
          ],
        );
      }
      events[i] = { originatorId: id, originatorVersion: version, topic, state };
    }
    return events;
  }

  protected prepare(db: SqliteDatabase): void {
    this.db = db;
    this.selectStatements.fill(undefined);
    this.insertStatement = db.prepare(`INSERT INTO ${this.eventsTableName} VALUES (?,?,?,?)`);
    this.singleInsertStatement =
      this.writesExtra || this.datastore.isExternal ? null : this.prepareSingleInsert(db);
    // Fails now, rather than on first read, if the table is missing.
    this.prepareSelect(0);
  }

  /**
   * The statement of a one-event save made outside a transaction. Its run must change no row
   * (`changes === 0`) rather than store an event it must refuse.
   */
  protected prepareSingleInsert(_db: SqliteDatabase): SqliteStatement {
    return this.insertStatement;
  }

  /**
   * Checks and stores a batch in one transaction, filling `ids` with notification ids when
   * given, and running `recordTracking` and `writeExtra` in the same transaction. Returns
   * nothing when the batch was written at once, or a Promise when it waits (without blocking
   * the event loop) for a write lock that another connection holds.
   */
  protected write(
    storedEvents: readonly StoredEvent[],
    options: InsertEventsOptions | undefined,
    ids: number[] | null,
  ): Promise<void> | undefined {
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
    let first: LockUnavailable | null = null;
    const queue = this.datastore.lockQueue;
    if (queue.idle) {
      try {
        this.commitBatch(storedEvents, keys, options, ids);
        return;
      } catch (error) {
        if (!(error instanceof LockUnavailable)) throw error;
        first = error;
      }
    }
    return this.waitForLock(
      () => this.commitBatch(storedEvents, keys, options, ids),
      first,
      () =>
        `Cannot insert events into table '${this.eventsTableName}' of ` +
        `${this.describeDatabase()} (nothing of the batch was stored)`,
    );
  }

  /**
   * Stores a checked batch now, in one synchronous transaction, or changes nothing.
   *
   * @throws LockUnavailable when another connection holds the write lock.
   */
  private commitBatch(
    storedEvents: readonly StoredEvent[],
    keys: readonly string[],
    options: InsertEventsOptions | undefined,
    ids: number[] | null,
  ): void {
    const c = this.conn ?? this.connect();
    const n = storedEvents.length;
    const tracking = options?.tracking;
    const single = this.singleInsertStatement;
    if (
      n === 1 &&
      single !== null &&
      (tracking === null || tracking === undefined) &&
      !openBatches.has(c.db)
    ) {
      // One statement is atomic by itself: no BEGIN and COMMIT round (the common save). Not
      // inside a transaction open on the connection (a view's batch): begin() waits for it.
      let result: SqliteRunResult;
      try {
        const event = storedEvents[0]!;
        result = single.run(keys[0], event.originatorVersion, event.topic, event.state);
      } catch (error) {
        if (isBusy(error)) throw new LockUnavailable(error);
        throw this.writeError(error, storedEvents, keys, 0);
      }
      if (result.changes === 0) throw this.idsExhausted();
      if (ids !== null) ids[0] = result.lastInsertRowid as number;
      return;
    }
    const statement = this.insertStatement;
    let i = 0;
    try {
      this.begin(c);
      for (; i < n; i++) {
        const event = storedEvents[i]!;
        const result = statement.run(keys[i], event.originatorVersion, event.topic, event.state);
        if (ids !== null) {
          const id = result.lastInsertRowid as number;
          // Refused before the commit: the id could not be read back exactly.
          if (!(id <= MAX_ID)) throw this.idsExhausted();
          ids[i] = id;
        }
      }
      i = -1;
      if (tracking !== null && tracking !== undefined) this.recordTracking(tracking);
      this.writeExtra(c, options, ids);
      c.commit.run();
    } catch (error) {
      if (error instanceof LockUnavailable) throw error;
      if (c.db.inTransaction) c.rollback.run();
      if (isBusy(error)) throw new LockUnavailable(error);
      throw this.writeError(error, storedEvents, keys, i);
    }
  }

  /**
   * Records tracking given with events, inside the insert's transaction. Aggregate and
   * application recorders ignore it; process recorders record it.
   */
  protected recordTracking(_tracking: Tracking): void {}

  /** Checks the insert options before the transaction (process recorders check tracking). */
  protected checkOptions(_options: InsertEventsOptions | undefined): void {}

  /**
   * Runs inside the insert's transaction, after the events (and a process recorder's tracking):
   * override it to add statements to every save (Python's `_insert_events` extended, as in its
   * `insert_pages` example), e.g. with values from the `options` given to `insertEvents`. It
   * must be synchronous; throwing rolls the whole save back. Overriding it makes one-event saves
   * use a transaction too. `notificationIds` are the events' ids (`null` for an aggregate
   * recorder), as PostgreSQL's `writeExtra` gets them.
   */
  protected writeExtra(
    _connection: SqliteConnection,
    _options: InsertEventsOptions | undefined,
    _notificationIds: readonly number[] | null,
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

  /** The refusal of a write whose notification id would exceed `Number.MAX_SAFE_INTEGER`. */
  private idsExhausted(): DataError {
    return new DataError(
      `Cannot insert events into table '${this.eventsTableName}' of ${this.describeDatabase()}: ` +
        'the next notification id (rowid) would be above Number.MAX_SAFE_INTEGER, which a ' +
        'JavaScript number cannot represent exactly. Nothing of the batch was stored. The ' +
        "table's rowids have been set that high by another program: move the events to a new " +
        'table.',
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
