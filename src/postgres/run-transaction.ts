import { OperationalError } from '../persistence/errors.js';
import type { PgClient } from './driver.js';
import { mapPgError, mapWriteError } from './pg-errors.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { TransactionClient } from './transaction-client.js';

/** Options of `runTransaction`, for callers that save round trips. */
export interface RunTransactionOptions {
  /** Whether `begin` sends `BEGIN` itself (with its first statement, in one round trip). */
  readonly beginsItself?: boolean;
  /** The text that commits, when it is more than `COMMIT` (statements sent with it). */
  readonly commitText?: () => string;
}

/**
 * The transaction machinery of the tracking recorders' `transaction`, `recordBatch` and
 * `resetTracking`: on one pooled connection, `BEGIN`; `begin(client, lent)`; awaits
 * `body(lent)`; `COMMIT`, resolving to what `body` resolved to. When anything fails or the
 * connection drops, it rolls back and changes nothing (a dropped connection is discarded, not
 * returned to the pool). Errors of `begin` are mapped to the library's; those of `body` pass as
 * they are. A session the server ended while `body` ran (an idle-in-transaction timeout, a
 * terminated backend) is an `OperationalError` saying so and that nothing was recorded. A
 * connection lost while committing is an `OperationalError` saying the outcome is unknown.
 *
 * @internal
 */
export async function runTransaction<T>(
  datastore: PostgresDatastore,
  begin: (client: PgClient, lent: TransactionClient) => Promise<void>,
  body: (lent: TransactionClient) => Promise<T>,
  options: RunTransactionOptions = {},
): Promise<T> {
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
    if (options.beginsItself !== true) await client.query('BEGIN');
    await begin(client, lent);
    stage = 'fn';
    const result = await body(lent);
    lent.end();
    stage = 'commit';
    await client.query(options.commitText?.() ?? 'COMMIT');
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
