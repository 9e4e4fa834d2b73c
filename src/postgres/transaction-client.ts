import { ProgrammingError } from '../persistence/errors.js';
import type { PgClient } from './driver.js';
import { mapPgError, type ServerDescription } from './pg-errors.js';
import { statementName } from './statement-name.js';

/** A row of a query's result: its columns by name. */
export type PostgresRow = Record<string, unknown>;

/** What a query on a `PostgresTransactionClient` resolves to. */
export interface PostgresQueryResult<R extends PostgresRow = PostgresRow> {
  /** The rows, as objects keyed by column name. */
  readonly rows: R[];
  /** How many rows the statement returned or changed (null when the server does not say). */
  readonly rowCount: number | null;
}

/**
 * The connection a recorder's transaction lends to your code (a view's command, or the extra
 * statements of a save): one pooled `pg` client inside `BEGIN … COMMIT`. Queries take `$1, $2, …`
 * placeholders. Values are parsed by the library's pool: `int8` as numbers (as text above
 * `Number.MAX_SAFE_INTEGER`), `bytea` as Buffers, the rest as `pg` parses them. Errors are the
 * library's classes (`IntegrityError` for a unique violation, …) with `pg`'s error as `cause`.
 * It works only until the transaction ends; do not keep it.
 */
export interface PostgresTransactionClient {
  /** Runs one statement in the transaction. */
  query<R extends PostgresRow = PostgresRow>(
    text: string,
    values?: readonly unknown[],
    options?: PostgresQueryOptions,
  ): Promise<PostgresQueryResult<R>>;
}

/** Options of `PostgresTransactionClient.query`. */
export interface PostgresQueryOptions {
  /**
   * Makes the statement a prepared one, parsed and planned once per pooled connection instead
   * of at every call: worth it for a view's statements that run for every event or batch. Only
   * for fixed texts (each distinct text stays prepared on every connection that ran it).
   */
  readonly prepare?: boolean;
}

/**
 * A pooled client lent to user code for the length of one transaction: a later query is a
 * `ProgrammingError`, so code that kept it cannot write outside the transaction, on a connection
 * someone else has since taken from the pool.
 *
 * @internal
 */
export class TransactionClient implements PostgresTransactionClient {
  private client: PgClient | null;
  private readonly server: ServerDescription;

  constructor(client: PgClient, server: ServerDescription) {
    this.client = client;
    this.server = server;
  }

  /** Runs one statement in the transaction. */
  async query<R extends PostgresRow = PostgresRow>(
    text: string,
    values?: readonly unknown[],
    options?: PostgresQueryOptions,
  ): Promise<PostgresQueryResult<R>> {
    const client = this.client;
    if (client === null) {
      throw new ProgrammingError(
        'This transaction client was used after its transaction ended: use it only inside the ' +
          'function given to the transaction, and await every query before that function returns.',
      );
    }
    if (typeof text !== 'string') {
      throw new TypeError('query() expects the SQL text as a string, with $1, $2, … for values.');
    }
    if (values !== undefined && !Array.isArray(values)) {
      throw new TypeError('query() expects the values as an array (for $1, $2, …).');
    }
    try {
      const name = options?.prepare === true ? statementName(text) : undefined;
      const result = await client.query(
        name !== undefined
          ? { name, text, values: values ?? [] }
          : values === undefined
            ? { text }
            : { text, values },
      );
      return { rows: result.rows as R[], rowCount: result.rowCount };
    } catch (error) {
      throw mapPgError(error, this.server);
    }
  }

  /** Ends the loan: later queries are a `ProgrammingError`. */
  end(): void {
    this.client = null;
  }
}
