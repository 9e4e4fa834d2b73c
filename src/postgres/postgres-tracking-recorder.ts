import { ProgrammingError } from '../persistence/errors.js';
import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  batchAlreadyOpen,
  clearNotOverridden,
  TrackingBatch,
} from '../persistence/tracking-batch.js';
import { checkApplicationName } from '../persistence/validation.js';
import { waitForTracking } from '../persistence/wait-for-tracking.js';
import type { PgClient } from './driver.js';
import { mapPgError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { PostgresRecorder } from './postgres-recorder.js';
import { PostgresTrackingTable } from './postgres-tracking-table.js';
import { runTransaction } from './run-transaction.js';
import { trackingConflict } from './tracking-conflict.js';
import type { PostgresTransactionClient, TransactionClient } from './transaction-client.js';

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
  private batch: OpenBatch | null = null;

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
    const batch = this.batch;
    if (batch !== null) return this.joinBatch(batch, tracking, async () => {});
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
    const batch = this.batch;
    if (batch !== null) return this.joinBatch(batch, tracking, fn);
    if (!this.isReady) await this.ready();
    return runTransaction(
      this.datastore,
      async (client) => {
        if (!(await this.tracking.insertOn(client, tracking))) {
          const max = await this.tracking.maxOn(client, tracking.applicationName);
          throw trackingConflict(tracking, max);
        }
      },
      fn,
    );
  }

  /**
   * Runs `fn` (a runner processing a batch of an upstream application's notifications with this
   * view's commands) in one transaction on one pooled connection, which records `tracking` (the
   * batch's position) and commits when `fn` resolves. While `fn` runs, the view's
   * `transaction(tracking, fn)` commands and `insertTracking` join that transaction: each is
   * checked as if recorded (an `IntegrityError` when its id is not greater than the recorded one
   * or one earlier in the batch) and runs on the batch's connection, without a tracking write or
   * a commit of its own. When `fn` or a command of the batch fails (even if `fn` caught it), or
   * the commit does, nothing of the batch is recorded; errors are those of `transaction()`.
   *
   * The batch begins by locking its application's tracking (the application's row, or with a
   * row per notification an advisory lock) and reading the recorded id (an `IntegrityError` when
   * the batch's id is not greater, and then `fn` does not run): a concurrent batch of the same
   * application (another runner of the view) waits, then meets this one's position instead of
   * processing its events again. The batch's tracking must not be behind a command of the batch
   * (a `ProgrammingError`).
   * Keep batches short: the server ends a session idle in a transaction after
   * `POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT` seconds.
   */
  async recordBatch<T>(tracking: Tracking, fn: () => Promise<T>): Promise<T> {
    PostgresTrackingTable.check(tracking);
    if (typeof fn !== 'function') throw new TypeError('recordBatch() needs a function.');
    if (this.batch !== null) throw batchAlreadyOpen();
    if (!this.isReady) await this.ready();
    if (this.batch !== null) throw batchAlreadyOpen();
    const { applicationName } = tracking;
    const opened: { batch: TrackingBatch | null } = { batch: null };
    this.batch = pendingBatch;
    // BEGIN, the lock that makes other batches of the application wait, and the recorded id,
    // in one round trip; with single-row tracking the tracking is then written with COMMIT.
    const singleRow = this.datastore.settings.singleRowTracking;
    let updateOnCommit = false;
    try {
      return await runTransaction(
        this.datastore,
        async (client, lent) => {
          const locked = this.tracking.readBeginLocked(
            await client.query(this.tracking.beginLockedText(tracking)),
          );
          const recorded = locked.recorded;
          if (recorded !== null && tracking.notificationId <= recorded) {
            throw trackingConflict(tracking, recorded);
          }
          if (singleRow) updateOnCommit = !locked.inserted;
          else if (!(await this.tracking.insertOn(client, tracking))) {
            throw trackingConflict(tracking, await this.tracking.maxOn(client, applicationName));
          }
          opened.batch = new TrackingBatch(tracking, recorded);
          this.batch = { tracking: opened.batch, client, lent };
        },
        async () => {
          const result = await fn();
          opened.batch!.finish();
          return result;
        },
        {
          beginsItself: true,
          commitText: () =>
            updateOnCommit ? this.tracking.updateAndCommitText(tracking) : 'COMMIT',
        },
      );
    } finally {
      this.batch = null;
    }
  }

  /**
   * Empties the view (its `clear(client)`) and forgets the tracking of `applicationName`, in one
   * transaction, so that the view can be rebuilt from that application's first notification.
   * Other applications' tracking stays. The default `clear()` refuses with `ProgrammingError`,
   * and nothing changes.
   */
  async resetTracking(applicationName: string): Promise<void> {
    checkApplicationName(applicationName);
    if (this.batch !== null) throw batchAlreadyOpen();
    if (!this.isReady) await this.ready();
    await runTransaction(
      this.datastore,
      async () => {},
      async (client) => {
        await this.clear(client);
        await client.query(`DELETE FROM ${this.tracking.table} WHERE application_name = $1`, [
          applicationName,
        ]);
      },
    );
  }

  /**
   * Empties the view's own tables, for `resetTracking()`, in its transaction: a view overrides
   * it (`await client.query('DELETE FROM …')`). The default throws `ProgrammingError` saying so.
   */
  protected async clear(_client: PostgresTransactionClient): Promise<void> {
    throw clearNotOverridden(this);
  }

  private async joinBatch<T>(
    open: OpenBatch,
    tracking: Tracking,
    fn: (client: PostgresTransactionClient) => Promise<T>,
  ): Promise<T> {
    const batch = open.tracking;
    if (batch === null) throw batchNotOpenYet();
    batch.checkNotFailed();
    try {
      const { applicationName } = tracking;
      if (batch.lastOf(applicationName) === undefined) {
        let recorded: number | null;
        try {
          recorded = await this.tracking.maxOn(open.client, applicationName);
        } catch (error) {
          throw mapPgError(error, this.datastore.server);
        }
        batch.setRecorded(applicationName, recorded);
      }
      batch.join(tracking);
      return await fn(open.lent);
    } catch (error) {
      batch.fail(error);
      throw error;
    }
  }
}

/** A batch of `recordBatch` (its tracking bookkeeping once its transaction has begun). */
interface OpenBatch {
  readonly tracking: TrackingBatch | null;
  readonly client: PgClient;
  readonly lent: TransactionClient;
}

// Set while a batch waits for its connection, so that commands called then are refused.
const pendingBatch: OpenBatch = {
  tracking: null,
  client: null as unknown as PgClient,
  lent: null as unknown as TransactionClient,
};

function batchNotOpenYet(): ProgrammingError {
  return new ProgrammingError(
    "A view command was called while this view's batch was still beginning: call the view's " +
      'commands from the function given to recordBatch().',
  );
}
