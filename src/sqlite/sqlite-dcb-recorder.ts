import { decideDCBAppend } from '../persistence/dcb-append-decision.js';
import { DCBEventSubscription } from '../persistence/dcb-event-subscription.js';
import {
  checkDCBAppendCondition,
  checkDCBQuery,
  checkDCBReadOptions,
  copyDCBEvents,
  greatestPosition,
} from '../persistence/dcb-query.js';
import type {
  DCBAppendCondition,
  DCBEvent,
  DCBQuery,
  DCBReadOptions,
  DCBReadResponse,
  DCBRecorder,
  DCBSequencedEvent,
  DCBSubscribeOptions,
  DCBSubscription,
} from '../persistence/dcb-recorder.js';
import { IntegrityError } from '../persistence/errors.js';
import { NotificationSignal } from '../persistence/notification-signal.js';
import { checkTableName } from './check-table-name.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { invalidRowError } from './invalid-row-error.js';
import { DEFAULT_SQLITE_POLL_INTERVAL } from './sqlite-application-recorder.js';
import type { SQLiteDatastore } from './sqlite-datastore.js';
import {
  type SQLiteDCBSelection,
  type SQLiteDCBTables,
  sqliteDCBSelect,
} from './sqlite-dcb-select.js';
import { toPersistenceError } from './sqlite-errors.js';
import { SQLiteRecorder } from './sqlite-recorder.js';

type EventRow = [
  id: number,
  type: string,
  data: Uint8Array | null,
  tags: string,
  uuid: string | null,
];
type ConflictRow = [id: number, type: string];

const EVENT_COLUMNS = 'id, type, data, tags, uuid';
const CONFLICT_COLUMNS = 'id, type';
// Distinct query shapes beyond this many are prepared each time instead of cached.
const MAX_CACHED_STATEMENTS = 256;

/**
 * The SQLite DCB recorder: Python's PostgreSQL "TT" design on SQLite. Table
 * `{prefix}_events_tt_main` holds the events (`id INTEGER PRIMARY KEY` is the position; `type`,
 * `data`, `tags` as a JSON array, and `uuid`, the event's optional id, unique where not null), and
 * `{prefix}_events_tt_tag` one `(tag, main_id)` row per distinct tag of each event, indexed on
 * `(tag, main_id)`; the prefix is the application's name lower-cased, or `dcb`. Every query
 * shape works for read, subscribe and conditions.
 *
 * An append checks its condition and inserts in one write transaction (`BEGIN IMMEDIATE` on the
 * datastore's one connection, SQLite's write lock between processes), so positions increase in
 * commit order and nothing comes between the check and the insert. A read without a limit reads
 * the head first and the events up to it, so the head it returns never passes an event it
 * did not consider. Subscriptions are woken at once by this process's appends through the same
 * datastore, and poll every `pollInterval` milliseconds for other connections' appends.
 */
export class SQLiteDCBRecorder extends SQLiteRecorder implements DCBRecorder {
  /** The events table. */
  readonly mainTableName: string;
  /** The tag table. */
  readonly tagTableName: string;
  /**
   * Milliseconds between polls while a subscription waits, so that it sees other connections'
   * appends; `null` to rely on in-process wake-ups alone (the default for a private `:memory:`).
   */
  pollInterval: number | null;
  private readonly tables: SQLiteDCBTables;
  private readonly signal = new NotificationSignal();
  private readonly signals: ReadonlySet<NotificationSignal>;
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly idStatements = new Map<number, SqliteStatement>();
  private db: SqliteDatabase | null = null;
  private insertMain!: SqliteStatement;
  private insertTag!: SqliteStatement;
  private maxStatement!: SqliteStatement;

  /**
   * @param prefix The tables' prefix: the application's name lower-cased, or `dcb` (the
   * factory's choice); letters, digits and underscores.
   * @throws TypeError for a prefix that cannot name a table.
   */
  constructor(datastore: SQLiteDatastore | string, prefix = 'dcb') {
    super(datastore);
    this.mainTableName = checkTableName(`${prefix}_events_tt_main`);
    this.tagTableName = checkTableName(`${prefix}_events_tt_tag`);
    this.tables = { main: this.mainTableName, tag: this.tagTableName };
    const privateMemory =
      this.datastore.isMemory && this.datastore.target.sharedMemoryName === null;
    this.pollInterval = privateMemory ? null : DEFAULT_SQLITE_POLL_INTERVAL;
    this.datastore.addSignal(this.mainTableName, this.signal);
    this.signals = this.datastore.signalsFor(this.mainTableName);
  }

  /**
   * The tables and indexes (Python's TT tables, with SQLite's types and an id column); the
   * unique index of event ids is made by `afterCreateTables`.
   */
  override createTableStatements(): string[] {
    const main = this.mainTableName;
    const tag = this.tagTableName;
    return [
      `CREATE TABLE IF NOT EXISTS ${main} (id INTEGER PRIMARY KEY, type TEXT NOT NULL, ` +
        'data BLOB, tags TEXT NOT NULL, uuid TEXT)',
      `CREATE INDEX IF NOT EXISTS ${main}_idx_type_id ON ${main} (type, id)`,
      `CREATE TABLE IF NOT EXISTS ${tag} (tag TEXT NOT NULL, main_id INTEGER NOT NULL ` +
        `REFERENCES ${main} (id))`,
      `CREATE INDEX IF NOT EXISTS ${tag}_idx_tag_main_id ON ${tag} (tag, main_id)`,
    ];
  }

  /**
   * After the tables: the unique index of event ids (`{main}_idx_uuid`, where the id is not
   * null), made here so that a table of an earlier version, whose index of ids was not unique,
   * gets it too (the old index is replaced).
   *
   * @throws IntegrityError when ids are stored more than once already (an earlier version stored
   * retried appends again): nothing is changed, and the message says how to clear the
   * duplicates.
   */
  protected override afterCreateTables(db: SqliteDatabase): void {
    const main = this.mainTableName;
    const index = `${main}_idx_uuid`;
    const indexes = db.prepare(`PRAGMA index_list(${main})`).all() as Array<{
      name: string;
      unique: number;
    }>;
    const existing = indexes.find((row) => row.name === index);
    if (existing !== undefined && Number(existing.unique) === 1) return;
    const duplicated = Number(
      db
        .prepare(
          `SELECT count(*) FROM (SELECT uuid FROM ${main} WHERE uuid IS NOT NULL ` +
            'GROUP BY uuid HAVING count(*) > 1)',
        )
        .pluck(true)
        .get(),
    );
    if (duplicated > 0) {
      throw new IntegrityError(
        `Cannot create tables in ${this.describeDatabase()}: ${duplicated} event id(s) are ` +
          `stored more than once in ${main} (an earlier version stored retried appends again), ` +
          'so the unique index of event ids cannot be made. Nothing was changed. Keep the first ' +
          "event of each id, for instance by clearing the later ones' ids: " +
          `UPDATE ${main} SET uuid = NULL WHERE uuid IS NOT NULL AND id NOT IN (SELECT min(id) ` +
          `FROM ${main} WHERE uuid IS NOT NULL GROUP BY uuid); then open the recorder again.`,
      );
    }
    if (existing !== undefined) db.exec(`DROP INDEX ${index}`);
    db.exec(`CREATE UNIQUE INDEX ${index} ON ${main} (uuid) WHERE uuid IS NOT NULL`);
  }

  /**
   * The events matching `query` (every event when it is null or has no items) after `after`,
   * ascending (descending when `backwards`), at most `limit`, with the `head`: the last
   * position stored when there is no limit, else the greatest position returned (null when
   * none).
   *
   * @throws TypeError for a bad query or option.
   */
  async read(query?: DCBQuery | null, options?: DCBReadOptions): Promise<DCBReadResponse> {
    checkDCBQuery(query);
    checkDCBReadOptions(options);
    if (this.conn === null) await this.ready();
    const limit = options?.limit ?? null;
    if (limit === 0) return { events: [], head: null };
    const context = () => `Cannot read DCB events from ${this.describeDatabase()}`;
    let upTo = Number.MAX_SAFE_INTEGER;
    let last: number | null = null;
    if (limit === null) {
      last = this.max(context);
      if (last === null) return { events: [], head: null };
      upTo = last;
    }
    const rows = this.select(
      {
        query: query ?? null,
        columns: EVENT_COLUMNS,
        after: Math.max(options?.after ?? 0, 0),
        upTo,
        excludedIds: [],
        backwards: options?.backwards === true,
        limit: limit ?? -1,
      },
      context,
    ) as EventRow[];
    const events = rows.map((row) => this.toSequencedEvent(row));
    if (limit !== null) last = greatestPosition(events);
    return { events, head: last };
  }

  /**
   * Appends the events at the next positions and resolves to the last one, unless an event
   * after the condition's `after` matches its query: then an `IntegrityError`, and nothing is
   * stored. Event ids are unique in the store: when every event has an id that is stored already
   * (a retry of an append that succeeded), resolves to the greatest of their positions and
   * stores nothing, with or without a condition, and even when the condition now fails, as long
   * as only those events make it fail; ids partly stored are an `IntegrityError`. All of it is
   * checked in the write transaction, so concurrent retries store the events once.
   *
   * @throws ProgrammingError for no events; DataError for a malformed event (or an id twice in
   * the events); TypeError for a bad condition.
   */
  async append(
    events: readonly DCBEvent[],
    condition?: DCBAppendCondition | null,
  ): Promise<number> {
    checkDCBAppendCondition(condition);
    const copies = copyDCBEvents(events);
    const context = () => `Cannot append DCB events to ${this.describeDatabase()}`;
    let appended = false;
    const position = await this.writeTransaction(() => {
      const ids = idsOf(copies);
      const [found, original] = this.storedIds(ids, context);
      const decided = decideDCBAppend({
        eventCount: copies.length,
        storedIds: found,
        originalPosition: original,
        condition,
        firstConflict: (ignoringOwnIds) => {
          const row = this.conflict(
            condition as DCBAppendCondition,
            ignoringOwnIds ? ids : [],
            context,
          );
          return row === null ? null : { position: row[0], type: row[1] };
        },
      });
      if (decided !== null) return decided;
      appended = true;
      return this.insert(copies, context);
    }, context);
    if (appended) for (const signal of this.signals) signal.notify();
    return position;
  }

  /**
   * The events matching `query` after `after`, then new ones as they are appended, until
   * stopped (`stop()`, the signal, `break`, or disposal).
   *
   * @throws TypeError for a bad query or option (synchronously).
   */
  subscribe(query?: DCBQuery | null, options?: DCBSubscribeOptions): DCBSubscription {
    return new DCBEventSubscription(this, query, options, {
      wakeUp: this.signal,
      pollInterval: this.pollInterval,
    });
  }

  /** How many subscriptions are listening (lets tests check that none is left behind). */
  get listenerCount(): number {
    return this.signal.size;
  }

  protected override prepare(db: SqliteDatabase): void {
    this.db = db;
    this.statements.clear();
    this.idStatements.clear();
    this.insertMain = db.prepare(
      `INSERT INTO ${this.mainTableName} (type, data, tags, uuid) VALUES (?, ?, ?, ?)`,
    );
    this.insertTag = db.prepare(`INSERT INTO ${this.tagTableName} (tag, main_id) VALUES (?, ?)`);
    this.maxStatement = db.prepare(`SELECT MAX(id) FROM ${this.mainTableName}`).pluck(true);
  }

  protected override onClose(): void {
    this.datastore.removeSignal(this.mainTableName, this.signal);
    this.signal.close();
  }

  /** Inserts checked events and their tags (in a write transaction); returns the last id. */
  private insert(events: readonly DCBEvent[], context: () => string): number {
    let last = 0;
    try {
      for (const event of events) {
        const result = this.insertMain.run(
          event.type,
          event.data,
          JSON.stringify(event.tags),
          event.id ?? null,
        );
        last = Number(result.lastInsertRowid);
        for (const tag of new Set(event.tags)) this.insertTag.run(tag, last);
      }
    } catch (error) {
      throw toPersistenceError(error, context());
    }
    return last;
  }

  /** The first event after the condition's `after` that matches it (and has none of the ids). */
  private conflict(
    condition: DCBAppendCondition,
    excludedIds: readonly string[],
    context: () => string,
  ): ConflictRow | null {
    const rows = this.select(
      {
        query: condition.failIfEventsMatch,
        columns: CONFLICT_COLUMNS,
        after: Math.max(condition.after ?? 0, 0),
        upTo: Number.MAX_SAFE_INTEGER,
        excludedIds,
        backwards: false,
        limit: 1,
      },
      context,
    ) as ConflictRow[];
    return rows[0] ?? null;
  }

  /**
   * How many of `ids` are stored (counted once each, even in a table of an earlier version
   * opened with `CREATE_TABLE=no`, whose index of ids may not be unique), and the greatest of
   * their positions (0 when none is).
   */
  private storedIds(ids: readonly string[], context: () => string): [number, number] {
    if (ids.length === 0) return [0, 0];
    let row: [number, number | null];
    try {
      let statement = this.idStatements.get(ids.length);
      if (statement === undefined) {
        statement = this.connected().prepare(
          `SELECT count(DISTINCT uuid), max(id) FROM ${this.mainTableName} WHERE uuid IN ` +
            `(${new Array(ids.length).fill('?').join(',')})`,
        );
        statement.raw(true);
        if (this.idStatements.size < MAX_CACHED_STATEMENTS) {
          this.idStatements.set(ids.length, statement);
        }
      }
      row = statement.get(ids) as [number, number | null];
    } catch (error) {
      throw toPersistenceError(error, context());
    }
    return [Number(row[0]), Number(row[1] ?? 0)];
  }

  private max(context: () => string): number | null {
    let max: unknown;
    try {
      max = this.maxStatement.get();
    } catch (error) {
      throw toPersistenceError(error, context());
    }
    if (max === null || max === undefined) return null;
    if (!Number.isSafeInteger(max)) {
      throw invalidRowError(this.mainTableName, this.describeDatabase(), 'the last row', [
        { name: 'id (the position)', value: max, expected: 'integer' },
      ]);
    }
    return max as number;
  }

  private select(selection: SQLiteDCBSelection, context: () => string): unknown[] {
    const { sql, params } = sqliteDCBSelect(this.tables, selection);
    try {
      let statement = this.statements.get(sql);
      if (statement === undefined) {
        statement = this.connected().prepare(sql).raw(true);
        if (this.statements.size < MAX_CACHED_STATEMENTS) this.statements.set(sql, statement);
      }
      return statement.all(params);
    } catch (error) {
      throw toPersistenceError(error, context());
    }
  }

  private connected(): SqliteDatabase {
    const db = this.db;
    if (db === null) throw new TypeError('The SQLite DCB recorder is not connected.');
    return db;
  }

  private toSequencedEvent(row: EventRow): DCBSequencedEvent {
    const [id, type, data, tagsText, uuid] = row;
    let tags: unknown = null;
    try {
      tags = typeof tagsText === 'string' ? JSON.parse(tagsText) : null;
    } catch {
      tags = null;
    }
    if (
      !Number.isSafeInteger(id) ||
      typeof type !== 'string' ||
      !(data === null || data instanceof Uint8Array) ||
      !Array.isArray(tags) ||
      !tags.every((tag) => typeof tag === 'string') ||
      !(uuid === null || typeof uuid === 'string')
    ) {
      throw invalidRowError(this.mainTableName, this.describeDatabase(), `the row with id ${id}`, [
        { name: 'id (the position)', value: id, expected: 'integer' },
        { name: 'type', value: type, expected: 'text' },
        { name: 'data', value: data, expected: 'blob' },
        { name: 'tags', value: tagsText, expected: 'text' },
        { name: 'uuid', value: uuid, expected: 'text' },
      ]);
    }
    return {
      event: { type, data: data ?? new Uint8Array(0), tags: tags as string[], id: uuid },
      position: id,
    };
  }
}

/** The ids of the events that have one. */
function idsOf(events: readonly DCBEvent[]): string[] {
  const ids: string[] = [];
  for (const event of events) if (event.id !== null && event.id !== undefined) ids.push(event.id);
  return ids;
}
