import { ProgrammingError } from '../persistence/errors.js';
import type { Closable } from '../persistence/recorders.js';
import { qualified } from './identifiers.js';
import type { PostgresDatastore } from './postgres-datastore.js';
import { StateColumn } from './state-column.js';
import type { PostgresRow } from './transaction-client.js';

const RESOLVED = Promise.resolve();

/**
 * What the PostgreSQL recorders share (Python's `PostgresRecorder`): the datastore, and tables
 * made ready once, on first use, behind a promise — created under an advisory lock when
 * `CREATE_TABLE` is on (the default), else checked to exist. A failed attempt is forgotten,
 * so the next call tries again (the server may have been down).
 */
export abstract class PostgresRecorder implements Closable {
  /** The connections and settings, shared with the factory's other recorders. */
  readonly datastore: PostgresDatastore;
  /** Whether the tables are known to be ready (checked first on every call). */
  protected isReady = false;

  /** How state columns are selected and read (the adaptive text format: `StateColumn`). @internal */
  protected readonly states = new StateColumn();

  /** Whether states are selected as text in the escape format (statements are keyed by it). */
  protected get statesAsText(): boolean {
    return this.states.asText;
  }

  /** The select-list expression for a state column (`column` names it). */
  protected stateColumn(column = 'state'): string {
    return this.states.select(column);
  }

  /** The bytes of a state column's value, as selected by `stateColumn`. */
  protected stateBytes(value: unknown): Uint8Array {
    return this.states.bytes(value);
  }
  private readyPromise: Promise<void> | null = null;

  constructor(datastore: PostgresDatastore) {
    this.datastore = datastore;
  }

  /**
   * A table (or other object) name of yours in the recorder's schema (`POSTGRES_SCHEMA`),
   * qualified and quoted for SQL: `"public"."counters"`.
   *
   * @throws ProgrammingError when a name is longer than PostgreSQL's 63 bytes.
   */
  qualifiedName(name: string): string {
    return qualified(this.datastore.settings.schema, name);
  }

  /**
   * The rows of a read-only query of yours (a view's select), as objects keyed by column name,
   * on a pooled connection; retried across dropped connections as the recorder's own reads are,
   * so it must not change anything. Values are parsed as in `PostgresTransactionClient`.
   */
  protected async select<R extends PostgresRow = PostgresRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<R[]> {
    if (!this.isReady) await this.ready();
    const result = await this.datastore.read(values === undefined ? { text } : { text, values });
    return result.rows as R[];
  }

  /** The DDL that creates this recorder's tables (and function), in order. */
  abstract createTableStatements(): string[];

  /** The tables this recorder needs, qualified and quoted, with their plain names. */
  protected abstract requiredTables(): ReadonlyArray<readonly [qualified: string, name: string]>;

  /**
   * Connects and creates the tables now (or checks that they exist, with `CREATE_TABLE=no`),
   * so that bad settings fail at start-up. Later calls resolve at once.
   */
  ready(): Promise<void> {
    if (this.isReady) return RESOLVED;
    if (this.readyPromise === null) {
      this.readyPromise = this.prepareTables().then(
        () => {
          this.isReady = true;
        },
        (error: unknown) => {
          this.readyPromise = null;
          throw error;
        },
      );
    }
    return this.readyPromise;
  }

  /** Creates the tables (the default), or checks that they exist. */
  protected async prepareTables(): Promise<void> {
    if (this.datastore.settings.createTable) {
      await this.datastore.ddl(this.createTableStatements());
      return;
    }
    const tables = this.requiredTables();
    const result = await this.datastore.read({
      text: `SELECT ${tables.map((_, i) => `to_regclass($${i + 1})`).join(', ')}`,
      values: tables.map(([qualified]) => qualified),
      rowMode: 'array',
    });
    const row = result.rows[0] as unknown[];
    tables.forEach(([, name], i) => {
      if (row[i] === null) {
        throw new ProgrammingError(
          `Table '${name}' does not exist in schema '${this.datastore.settings.schema}' and ` +
            'CREATE_TABLE is off: create it (run once with CREATE_TABLE=yes, or use the DDL in ' +
            'docs/postgres.md), or check POSTGRES_SCHEMA and the application name.',
        );
      }
    });
  }

  /** Releases what this recorder holds (the factory closes the shared connections). */
  abstract close(): Promise<void>;
}
