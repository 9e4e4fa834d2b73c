import { OperationalError } from '../persistence/errors.js';
import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { waitForTracking } from '../persistence/wait-for-tracking.js';
import { mapPgError, mapWriteError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { PostgresRecorder } from './postgres-recorder.js';
import { PostgresTrackingTable } from './postgres-tracking-table.js';
import { trackingConflict } from './tracking-conflict.js';
import { type PostgresTransactionClient, TransactionClient } from './transaction-client.js';

/**
 * A PostgreSQL tracking recorder (Python's `PostgresTrackingRecorder`), for projections: the
 * greatest processed notification id of each upstream application, in Python 9.5's tracking
 * table (`{name}_tracking`, or `notification_tracking` when unnamed). `wait` polls.
 *
 * A view subclasses it: its own tables come from `createTableStatements()` (after the tracking
 * table's), and its commands write their rows and the tracking in one transaction with
 * `transaction(tracking, fn)`.
 *
 * @example
 * ```ts no-run
 * class CountersView extends PostgresTrackingRecorder {
 *   override createTableStatements(): string[] {
 *     return [...super.createTableStatements(),
 *       `CREATE TABLE IF NOT EXISTS ${this.qualifiedName('counters')} (name text PRIMARY KEY, n bigint)`];
 *   }
 *   increment(name: string, tracking: Tracking): Promise<void> {
 *     return this.transaction(tracking, async (client) => {
 *       await client.query(`INSERT INTO ${this.qualifiedName('counters')} VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET n = counters.n + 1`, [name]);
 *     });
 *   }
 * }
 * ```
 */
export class PostgresTrackingRecorder extends PostgresRecorder implements TrackingRecorder {
  /** The tracking table and its statements. */
  protected readonly tracking: PostgresTrackingTable;
  private readonly closing = new AbortController();

  /** @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes. */
  constructor(datastore: PostgresDatastore, tableName = 'notification_tracking') {
    super(datastore);
    this.tracking = new PostgresTrackingTable(datastore, tableName);
  }

  /** The table's name (unqualified). */
  get tableName(): string {
    return this.tracking.tableName;
  }

  /** Python 9.5's tracking table. */
  createTableStatements(): string[] {
    return [this.tracking.createTableSql()];
  }

  protected requiredTables(): ReadonlyArray<readonly [string, string]> {
    return [[this.tracking.table, this.tracking.tableName]];
  }

  /** Records the position; an id not greater than the recorded one is an `IntegrityError`. */
  async insertTracking(tracking: Tracking): Promise<void> {
    PostgresTrackingTable.check(tracking);
    if (!this.isReady) await this.ready();
    await this.tracking.insert(tracking);
  }

  /** The greatest notification id recorded for the application, or `null`. */
  async maxTrackingId(applicationName: string): Promise<number | null> {
    if (!this.isReady) await this.ready();
    return this.tracking.max(applicationName);
  }

  /** Whether the application's notification has been processed (`true` for null). */
  async hasTrackingId(applicationName: string, notificationId?: number | null): Promise<boolean> {
    if (!this.isReady) await this.ready();
    return this.tracking.has(applicationName, notificationId);
  }

  /**
   * Resolves once the notification has been processed (polling); rejects with `TimeoutError`
   * after `timeout` ms (default 1000), or `WaitInterruptedError` when the signal aborts or the
   * recorder is closed.
   */
  async wait(
    applicationName: string,
    notificationId?: number | null,
    options?: WaitOptions,
  ): Promise<void> {
    return waitForTracking(
      () => this.hasTrackingId(applicationName, notificationId),
      this.closing.signal,
      applicationName,
      notificationId ?? null,
      options,
    );
  }

  /** Interrupts pending waits. Safe to repeat. */
  async close(): Promise<void> {
    this.closing.abort();
  }

  /**
   * Runs `fn` in one transaction with the tracking, on one pooled connection (the seam of views):
   * `BEGIN`; checks the tracking (an `IntegrityError` when its id is not greater than the one
   * recorded for its application) and records it; awaits `fn(client)`; `COMMIT`, resolving to
   * what `fn` resolved to. When `fn` throws or the connection drops, it rolls back and changes
   * nothing (a dropped connection is discarded, not returned to the pool). A session the server
   * ended while `fn` ran (an idle-in-transaction timeout, a terminated backend) is an
   * `OperationalError` saying so and that nothing was recorded. A connection lost while
   * committing is an `OperationalError` saying the outcome is unknown.
   *
   * The tracking is recorded before `fn` runs, so a concurrent transaction with the same
   * application waits for this one and then fails with `IntegrityError` instead of doing its
   * work twice. Await every query before `fn` returns; keep `fn` short: the connection is held,
   * and the server ends a session idle in a transaction after
   * `POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT` seconds (default 5).
   */
  protected async transaction<T>(
    tracking: Tracking,
    fn: (client: PostgresTransactionClient) => Promise<T>,
  ): Promise<T> {
    PostgresTrackingTable.check(tracking);
    if (typeof fn !== 'function') {
      throw new TypeError('transaction() expects a function (client) => Promise, to run in it.');
    }
    if (!this.isReady) await this.ready();
    const { datastore } = this;
    const client = await datastore.connect();
    const lent = new TransactionClient(client, datastore.server);
    // What the connection last failed with: a connection error discards it.
    let failure: unknown;
    let stage: 'begin' | 'fn' | 'commit' = 'begin';
    // Why the server ended the session between queries (an idle-in-transaction timeout, a
    // terminated backend): pg then says only "not queryable" to the next query.
    let ended: Error | null = null;
    const onError = (error: Error) => {
      ended ??= error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      if (!(await this.tracking.insertOn(client, tracking))) {
        const max = await this.tracking.maxOn(client, tracking.applicationName);
        throw trackingConflict(tracking, max);
      }
      stage = 'fn';
      const result = await fn(lent);
      lent.end();
      stage = 'commit';
      await client.query('COMMIT');
      return result;
    } catch (error) {
      lent.end();
      failure = error;
      if (ended !== null)
        throw sessionEnded(ended, datastore.settings.idleInTransactionSessionTimeout);
      if (stage === 'commit') throw mapWriteError(error, datastore.server);
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        failure = rollbackError;
      }
      throw stage === 'fn' ? error : mapPgError(error, datastore.server);
    } finally {
      client.removeListener('error', onError);
      datastore.release(client, failure);
    }
  }
}

/** The error of a transaction whose session the server ended before `COMMIT` was sent. */
function sessionEnded(reason: Error, idleTimeout: number): OperationalError {
  const idle = (reason as { code?: unknown }).code === '25P03';
  return new OperationalError(
    `PostgreSQL ended the transaction's session before it committed (${reason.message}): ` +
      'nothing of the transaction was recorded. ' +
      (idle
        ? `Its function was idle for longer than POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT ` +
          `(${idleTimeout} s): keep slow work outside the transaction, or raise that setting.`
        : 'Retry it.'),
    { cause: reason },
  );
}
