import { NotificationSignal } from '../persistence/notification-signal.js';
import { NotificationSubscription } from '../persistence/notification-subscription.js';
import type {
  ApplicationRecorder,
  InsertEventsOptions,
  SelectNotificationsOptions,
  SubscribeOptions,
  Subscription,
} from '../persistence/recorders.js';
import type { Notification, StoredEvent } from '../persistence/stored-event.js';
import { checkSelectNotifications } from '../persistence/validation.js';
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { invalidRowError } from './invalid-row-error.js';
import { hexToUuid } from './originator-ids.js';
import { SQLiteAggregateRecorder } from './sqlite-aggregate-recorder.js';
import type { SQLiteDatastore } from './sqlite-datastore.js';
import { toPersistenceError } from './sqlite-errors.js';

type NotificationRow = [
  id: number,
  originatorId: string,
  version: number,
  topic: string,
  state: Uint8Array,
];

/** Default milliseconds between polls of a waiting subscription, for writers elsewhere. */
export const DEFAULT_SQLITE_POLL_INTERVAL = 100;

// Statements with more topics than this are not cached (one per distinct count otherwise).
const MAX_CACHED_TOPICS = 32;

/**
 * A SQLite application recorder (Python's `SQLiteApplicationRecorder`): table `stored_events`, a
 * rowid table whose rowid is the notification id. Writes are serialised (one connection per
 * process, SQLite's write lock between processes), so ids increase in commit order.
 *
 * Subscriptions (Python has none for SQLite) are woken at once by commits of this process's
 * recorders of the same datastore, and poll every `pollInterval` milliseconds for commits of
 * other processes (or other datastores) to the same file.
 */
export class SQLiteApplicationRecorder
  extends SQLiteAggregateRecorder
  implements ApplicationRecorder
{
  /**
   * Milliseconds between polls while a subscription waits, so that it sees other processes'
   * writes; `null` to rely on in-process wake-ups alone (the default for `:memory:`).
   */
  pollInterval: number | null;
  /** Wakes this recorder's subscriptions; the datastore notifies it after each commit. */
  protected readonly signal = new NotificationSignal();
  private readonly signals: ReadonlySet<NotificationSignal>;
  private maxStatement!: SqliteStatement;
  private readonly notificationStatements = new Map<number, SqliteStatement>();
  private notificationsDb: SqliteDatabase | null = null;

  constructor(datastore: SQLiteDatastore | string, eventsTableName = 'stored_events') {
    super(datastore, eventsTableName);
    const privateMemory =
      this.datastore.isMemory && this.datastore.target.sharedMemoryName === null;
    this.pollInterval = privateMemory ? null : DEFAULT_SQLITE_POLL_INTERVAL;
    this.datastore.addSignal(this.eventsTableName, this.signal);
    this.signals = this.datastore.signalsFor(this.eventsTableName);
  }

  /** Python's DDL: a rowid table (the rowid is the notification id). */
  override createTableStatements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.eventsTableName} (originator_id TEXT, ` +
        'originator_version INTEGER, topic TEXT, state BLOB, PRIMARY KEY ' +
        '(originator_id, originator_version))',
    ];
  }

  /**
   * Stores the events atomically and resolves to their notification ids, in order. A version
   * already stored, or repeated in the batch, rejects with `IntegrityError` and stores nothing
   * of the batch.
   */
  override async insertEvents(
    storedEvents: readonly StoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<number[]> {
    const ids = new Array<number>(Array.isArray(storedEvents) ? storedEvents.length : 0);
    const waiting = this.write(storedEvents, options, ids);
    if (waiting !== undefined) await waiting;
    if (ids.length > 0) this.notify();
    return ids;
  }

  /**
   * Notifications from `start` (null or undefined: from the beginning), exclusive of `start`
   * when `inclusiveOfStart` is false, up to `stop`, with one of `topics` if any are given,
   * ascending, at most `limit`.
   */
  async selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]> {
    checkSelectNotifications(start, limit, options);
    const stop = options?.stop;
    const topics = options?.topics;
    if (this.conn === null) await this.ready();
    const params: unknown[] = [];
    let mask = 0;
    if (start !== null && start !== undefined) {
      mask |= options?.inclusiveOfStart === false ? 2 : 1;
      params.push(start);
    }
    if (stop !== null && stop !== undefined) {
      mask |= 4;
      params.push(stop);
    }
    const topicCount = topics === undefined ? 0 : topics.length;
    for (let i = 0; i < topicCount; i++) params.push(topics![i]);
    params.push(limit);
    let rows: NotificationRow[];
    try {
      const key = mask + 8 * topicCount;
      const statement =
        this.notificationStatements.get(key) ?? this.prepareNotifications(mask, topicCount, key);
      rows = statement.all(params) as NotificationRow[];
    } catch (error) {
      throw toPersistenceError(
        error,
        `Cannot select notifications from table '${this.eventsTableName}' of ` +
          this.describeDatabase(),
      );
    }
    const uuidIds = this.uuidIds;
    const n = rows.length;
    const notifications = new Array<Notification>(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const id = row[0];
      const originatorId = row[1];
      const version = row[2];
      const topic = row[3];
      const state = row[4];
      if (
        !Number.isSafeInteger(id) ||
        typeof originatorId !== 'string' ||
        !Number.isSafeInteger(version) ||
        typeof topic !== 'string' ||
        !(state instanceof Uint8Array)
      ) {
        throw this.invalidNotification(row);
      }
      notifications[i] = {
        id,
        originatorId: uuidIds ? hexToUuid(originatorId) : originatorId,
        originatorVersion: version,
        topic,
        state,
      };
    }
    return notifications;
  }

  /** The greatest notification id, or `null` when nothing has been recorded. */
  async maxNotificationId(): Promise<number | null> {
    if (this.conn === null) await this.ready();
    let max: unknown;
    try {
      max = this.maxStatement.get();
    } catch (error) {
      throw toPersistenceError(
        error,
        `Cannot select the max notification id of table '${this.eventsTableName}' of ` +
          this.describeDatabase(),
      );
    }
    if (max === null || max === undefined) return null;
    if (!Number.isSafeInteger(max)) {
      throw invalidRowError(this.eventsTableName, this.describeDatabase(), 'the last row', [
        { name: 'rowid (the notification id)', value: max, expected: 'integer' },
      ]);
    }
    return max as number;
  }

  /**
   * Notifications with ids greater than `gt` (from the beginning when null), with one of
   * `topics` if any are given, in order, then new ones as they are committed, until stopped.
   *
   * @throws TypeError for a bad option (synchronously: this method returns no Promise).
   */
  subscribe(options?: SubscribeOptions): Subscription {
    return new NotificationSubscription(this, {
      gt: options?.gt ?? null,
      topics: options?.topics ?? [],
      signal: options?.signal,
      batchSize: options?.batchSize,
      wakeUp: this.signal,
      pollInterval: this.pollInterval,
    });
  }

  /** How many subscriptions are listening (lets tests check that none is left behind). */
  get listenerCount(): number {
    return this.signal.size;
  }

  /** Wakes the subscriptions of every recorder of this datastore on this table. */
  protected notify(): void {
    for (const signal of this.signals) signal.notify();
  }

  /**
   * The one-event insert, refusing (changing no row) when the new rowid would be above
   * `Number.MAX_SAFE_INTEGER`: the check runs before the commit, so nothing is stored.
   */
  protected override prepareSingleInsert(db: SqliteDatabase): SqliteStatement {
    const table = this.eventsTableName;
    return db.prepare(
      `INSERT INTO ${table} SELECT ?,?,?,? WHERE NOT EXISTS ` +
        `(SELECT 1 FROM ${table} WHERE rowid >= ${Number.MAX_SAFE_INTEGER})`,
    );
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.notificationsDb = db;
    this.notificationStatements.clear();
    this.maxStatement = db.prepare(`SELECT MAX(rowid) FROM ${this.eventsTableName}`).pluck(true);
  }

  protected override onClose(): void {
    this.datastore.removeSignal(this.eventsTableName, this.signal);
    this.signal.close();
  }

  private invalidNotification(row: NotificationRow): Error {
    const id = row[0];
    return invalidRowError(
      this.eventsTableName,
      this.describeDatabase(),
      Number.isSafeInteger(id)
        ? `the row with notification id (rowid) ${id}`
        : `the row after notification id (rowid) ${Number.MAX_SAFE_INTEGER}`,
      [
        { name: 'rowid (the notification id)', value: id, expected: 'integer' },
        { name: 'originator_id', value: row[1], expected: 'text' },
        { name: 'originator_version', value: row[2], expected: 'integer' },
        { name: 'topic', value: row[3], expected: 'text' },
        { name: 'state', value: row[4], expected: 'blob' },
      ],
    );
  }

  private prepareNotifications(mask: number, topicCount: number, key: number): SqliteStatement {
    const db = this.notificationsDb;
    if (db === null) throw new TypeError('not connected');
    const where: string[] = [];
    if (mask & 1) where.push('rowid>=?');
    if (mask & 2) where.push('rowid>?');
    if (mask & 4) where.push('rowid<=?');
    if (topicCount > 0) where.push(`topic IN (${new Array(topicCount).fill('?').join(',')})`);
    const sql =
      `SELECT rowid, originator_id, originator_version, topic, state FROM ${this.eventsTableName}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY rowid LIMIT ?';
    const statement = db.prepare(sql).raw(true);
    if (topicCount <= MAX_CACHED_TOPICS) this.notificationStatements.set(key, statement);
    return statement;
  }
}
