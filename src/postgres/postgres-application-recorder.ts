import {
  type NotificationSelector,
  NotificationSubscription,
} from '../persistence/notification-subscription.js';
import type {
  ApplicationRecorder,
  InsertEventsOptions,
  SelectNotificationsOptions,
  SubscribeOptions,
  Subscription,
} from '../persistence/recorders.js';
import type { Notification, StoredEvent, Tracking } from '../persistence/stored-event.js';
import { checkSelectNotifications } from '../persistence/validation.js';
import { abortable } from '../utils/abortable.js';
import { describeValue } from '../utils/describe-value.js';
import { checkEvents } from './check-events.js';
import type { PgClient } from './driver.js';
import { checkIdentifierLength, qualified, quoteIdent, quoteLiteral } from './identifiers.js';
import { localWakeUpKey, wakeLocally } from './local-wake-ups.js';
import { PostgresAggregateRecorder } from './postgres-aggregate-recorder.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import type { PostgresTrackingTable } from './postgres-tracking-table.js';
import {
  createEventsTableSql,
  createInsertFunctionSql,
  createNotificationIndexSql,
} from './schema.js';
import { ScopedWakeUp } from './scoped-wake-up.js';
import { statementName } from './statement-name.js';
import { toSafeInteger } from './to-safe-integer.js';
import { type PostgresTransactionClient, TransactionClient } from './transaction-client.js';
import { WriteQueue } from './write-queue.js';

/** Options of `PostgresApplicationRecorder`. */
export interface PostgresApplicationRecorderOptions {
  /**
   * Milliseconds between a waiting subscription's polls (default 500): the correctness path
   * when a NOTIFY is lost, for instance while the LISTEN connection reconnects.
   */
  pollInterval?: number;
  /** The tracking table written with the events (process recorders). */
  trackingTable?: PostgresTrackingTable | null;
  /**
   * The most state bytes that saves sent together in one call of the write function may hold
   * (default 16 MiB). A save larger than this is sent alone; each save succeeds or fails alone.
   */
  maxGroupBytes?: number;
}

/** The default poll interval of subscriptions, in milliseconds. */
export const DEFAULT_POLL_INTERVAL = 500;

const RESOLVED_EMPTY: Promise<number[]> = Promise.resolve([]);

/**
 * A PostgreSQL application recorder (Python's `PostgresApplicationRecorder`): the events table
 * of Python 9.5, with notification ids from a `bigserial`.
 *
 * Writes use Python's protocol (`LOCK TABLE … IN EXCLUSIVE MODE`, so ids increase in commit
 * order and a reader tailing ids never skips a late commit; `NOTIFY` on the channel named after
 * the table) through the library's own plpgsql function, one call per group of saves: saves
 * that arrive while a call is in flight are sent together in the next call (group commit), each
 * still atomic and told of its own conflict alone (`IntegrityError`). A write whose connection
 * drops is an `OperationalError` saying the outcome is unknown, never retried. Reads are
 * prepared statements, retried across dropped connections.
 *
 * Subscriptions wake on LISTEN/NOTIFY (one connection per factory and channel) and poll every
 * `pollInterval` ms while waiting, so a lost LISTEN connection delays them and never stops them.
 */
export class PostgresApplicationRecorder
  extends PostgresAggregateRecorder
  implements ApplicationRecorder
{
  /** The NOTIFY channel: the table's name with '.' replaced by '_', as in Python. */
  readonly channel: string;
  /** The write function's name (unqualified). */
  readonly functionName: string;
  /** The tracking table written with the events (process recorders), else null. */
  protected readonly trackingTable: PostgresTrackingTable | null;
  /** This recorder's share of the factory's LISTEN connection. */
  private readonly wakeUp: ScopedWakeUp;
  private readonly localWakeUpKey: string;
  private readonly pollInterval: number;
  private readonly writeQueue: WriteQueue;
  private readonly notificationStatements = new Map<number, { text: string; name: string }>();
  private readonly maxText: string;
  /** Whether a subclass overrides `writeExtra` (checked once, so plain saves pay nothing). */
  private readonly extraWrites: boolean;

  /** @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes. */
  constructor(
    datastore: PostgresDatastore,
    tableName = 'stored_events',
    options: PostgresApplicationRecorderOptions = {},
  ) {
    super(datastore, tableName);
    const { pollInterval = DEFAULT_POLL_INTERVAL, trackingTable = null, maxGroupBytes } = options;
    if (!(pollInterval > 0 && pollInterval < 2 ** 31)) {
      throw new TypeError(
        `pollInterval must be a positive number of milliseconds, not ${describeValue(pollInterval)}.`,
      );
    }
    if (
      maxGroupBytes !== undefined &&
      !(Number.isSafeInteger(maxGroupBytes) && maxGroupBytes > 0)
    ) {
      throw new TypeError(
        `maxGroupBytes must be a positive integer number of bytes, not ${describeValue(maxGroupBytes)}.`,
      );
    }
    this.pollInterval = pollInterval;
    this.trackingTable = trackingTable;
    this.channel = tableName.replace(/\./g, '_');
    this.functionName = `${tableName}_${trackingTable === null ? '' : 'process_'}insert`;
    checkIdentifierLength(this.functionName);
    checkIdentifierLength(`${tableName}_notification_id_idx`);
    this.maxText = `SELECT MAX(notification_id) FROM ${this.table}`;
    this.wakeUp = new ScopedWakeUp(datastore.listener(this.channel));
    this.localWakeUpKey = localWakeUpKey(datastore.server, this.channel);
    this.writeQueue = new WriteQueue({
      datastore,
      functionSql: qualified(datastore.settings.schema, this.functionName),
      idType: datastore.settings.originatorIdType,
      tracked: trackingTable !== null,
      ready: () => this.ready(),
      maxGroupBytes,
      onCommitted: () => wakeLocally(this.localWakeUpKey),
    });
    this.extraWrites = this.writeExtra !== PostgresApplicationRecorder.prototype.writeExtra;
  }

  /** How many calls of the write function have been sent (fewer than saves under load). */
  get insertCalls(): number {
    return this.writeQueue.calls;
  }

  /** Python 9.5's events table and index, and this library's write function. */
  override createTableStatements(): string[] {
    const s = this.datastore.settings;
    const index = `${this.tableName}_notification_id_idx`;
    const statements = [
      createEventsTableSql(this.table, s.originatorIdType, true),
      createNotificationIndexSql(
        quoteIdent(index),
        this.table,
        quoteLiteral(`${quoteIdent(s.schema)}.${quoteIdent(index)}`),
      ),
    ];
    const tracking = this.trackingTable;
    if (tracking !== null) statements.push(tracking.createTableSql());
    statements.push(
      createInsertFunctionSql({
        fn: qualified(s.schema, this.functionName),
        table: this.table,
        channel: quoteIdent(this.channel),
        idType: s.originatorIdType,
        tracking: tracking === null ? null : tracking.table,
        singleRowTracking: s.singleRowTracking,
      }),
    );
    return statements;
  }

  protected override requiredTables(): ReadonlyArray<readonly [string, string]> {
    const tables: [string, string][] = [[this.table, this.tableName]];
    const tracking = this.trackingTable;
    if (tracking !== null) tables.push([tracking.table, tracking.tableName]);
    return tables;
  }

  /**
   * Stores the events atomically and resolves to their notification ids, in order. A version
   * already stored, or repeated in the batch, rejects with `IntegrityError` and stores nothing.
   */
  override insertEvents(
    storedEvents: readonly StoredEvent[],
    options?: InsertEventsOptions,
  ): Promise<number[]> {
    try {
      const bytes = checkEvents(storedEvents, this.datastore.settings.originatorIdType);
      const tracking = this.trackingOf(options);
      if (this.extraWrites && this.hasExtraWrites(options)) {
        return this.writeQueue.writeAlone(storedEvents, tracking, (client, ids) =>
          this.lendClient(client, (lent) => this.writeExtra(lent, options, ids)),
        );
      }
      if (storedEvents.length === 0 && tracking === null) return RESOLVED_EMPTY;
      return this.writeQueue.enqueue(storedEvents, tracking, bytes);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Notifications with ids from `start` (null or undefined: from the beginning), exclusive of
   * `start` when `inclusiveOfStart` is false, up to `stop`, with one of `topics` if any are
   * given, ascending, at most `limit`.
   */
  async selectNotifications(
    start: number | null | undefined,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<Notification[]> {
    checkSelectNotifications(start, limit, options);
    const stop = options?.stop;
    const topics = options?.topics;
    if (!this.isReady) await this.ready();
    const values: unknown[] = [];
    let variant = 0;
    if (start !== null && start !== undefined) {
      variant |= options?.inclusiveOfStart === false ? 2 : 1;
      values.push(start);
    }
    if (stop !== null && stop !== undefined) {
      variant |= 4;
      values.push(stop);
    }
    if (topics !== undefined && topics.length > 0) {
      variant |= 8;
      values.push(topics);
    }
    values.push(limit);
    if (this.statesAsText) variant |= 16;
    const statement =
      this.notificationStatements.get(variant) ?? this.notificationStatement(variant);
    const result = await abortable(
      this.datastore.read({
        name: statement.name,
        text: statement.text,
        values,
        rowMode: 'array',
      }),
      options?.signal,
    );
    const rows = result.rows as unknown[][];
    const n = rows.length;
    const notifications = new Array<Notification>(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      notifications[i] = {
        id: toSafeInteger(row[0], 'notification id'),
        originatorId: row[1] as string,
        originatorVersion: toSafeInteger(row[2], 'originator version'),
        topic: row[3] as string,
        state: this.stateBytes(row[4]),
      };
    }
    return notifications;
  }

  /** The greatest notification id, or `null` when nothing has been recorded. */
  async maxNotificationId(): Promise<number | null> {
    if (!this.isReady) await this.ready();
    const result = await this.datastore.read({
      name: statementName(this.maxText),
      text: this.maxText,
      rowMode: 'array',
    });
    const value = (result.rows[0] as unknown[] | undefined)?.[0];
    return value === null || value === undefined ? null : toSafeInteger(value, 'notification id');
  }

  /**
   * Notifications with ids greater than `gt` (from the beginning when null), with one of
   * `topics` if any are given, in order, then new ones as they are committed, until stopped.
   *
   * @throws TypeError for a bad option (synchronously: this method returns no Promise).
   */
  subscribe(options?: SubscribeOptions): Subscription {
    return new NotificationSubscription(this.subscriptionSource, {
      gt: options?.gt ?? null,
      topics: options?.topics ?? [],
      signal: options?.signal,
      batchSize: options?.batchSize,
      retry: this.datastore.subscriptionRetry,
      wakeUp: this.wakeUp,
      pollInterval: this.pollInterval,
    });
  }

  /**
   * What subscriptions read from: `selectNotifications` and `maxNotificationId` (for pages with
   * topics), except that a query cut short by `close()` ends the (already stopped) subscription
   * quietly instead of with the pool's error.
   */
  private readonly subscriptionSource: NotificationSelector = {
    selectNotifications: (start, limit, options) =>
      this.selectNotifications(start, limit, options).catch((error: unknown) => {
        if (this.wakeUp.isClosed) return [];
        throw error;
      }),
    maxNotificationId: () =>
      this.maxNotificationId().catch((error: unknown) => {
        if (this.wakeUp.isClosed) return null;
        throw error;
      }),
  };

  /** How many of this recorder's subscriptions are listening. */
  get listenerCount(): number {
    return this.wakeUp.size;
  }

  /**
   * Stops this recorder's subscriptions and waits for its queued writes to finish. The factory
   * closes the shared pool and LISTEN connection. Safe to repeat.
   */
  override async close(): Promise<void> {
    this.wakeUp.close();
    await this.writeQueue.drain();
  }

  /**
   * Override to write more than events in a save's transaction (Python's `insert_pages`
   * example): runs after the save's events are inserted (`notificationIds`: theirs, in order),
   * inside the same transaction, under the events table's lock, with the save's `options` (from
   * `insertEvents(events, options)`, or `Application.save(..., new RecorderOptions({...}))`).
   * Throwing (or a failing statement) rolls the save back: none of its events are stored, and it
   * rejects with that error. Other saves are not affected.
   *
   * A save with extra writes is not grouped with others: it is one transaction of its own
   * (`BEGIN`, the write function, these statements, `COMMIT`) instead of one call shared by a
   * group. Override `hasExtraWrites` so that saves without any go on the grouped path.
   */
  protected async writeExtra(
    _client: PostgresTransactionClient,
    _options: InsertEventsOptions | undefined,
    _notificationIds: readonly number[],
  ): Promise<void> {}

  /**
   * Whether this save has extra writes (`writeExtra`), so goes in a transaction of its own. Only
   * asked when a subclass overrides `writeExtra`; by default every save of such a recorder does.
   */
  protected hasExtraWrites(_options: InsertEventsOptions | undefined): boolean {
    return true;
  }

  /** Lends the pooled client to user code for the length of `fn`. */
  private async lendClient(
    client: PgClient,
    fn: (lent: PostgresTransactionClient) => Promise<void>,
  ): Promise<void> {
    const lent = new TransactionClient(client, this.datastore.server);
    try {
      await fn(lent);
    } finally {
      lent.end();
    }
  }

  /** The tracking to record with the events: none for application recorders. */
  protected trackingOf(_options: InsertEventsOptions | undefined): Tracking | null {
    return null;
  }

  private notificationStatement(variant: number): { text: string; name: string } {
    let p = 1;
    const where: string[] = [];
    if (variant & 1) where.push(`notification_id >= $${p++}`);
    if (variant & 2) where.push(`notification_id > $${p++}`);
    if (variant & 4) where.push(`notification_id <= $${p++}`);
    if (variant & 8) where.push(`topic = ANY($${p++}::text[])`);
    const text =
      'SELECT notification_id, originator_id, originator_version, topic, ' +
      `${variant & 16 ? this.stateColumn() : 'state'} FROM ${this.table}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY notification_id LIMIT $${p}`;
    const statement = { text, name: statementName(text) };
    this.notificationStatements.set(variant, statement);
    return statement;
  }
}
