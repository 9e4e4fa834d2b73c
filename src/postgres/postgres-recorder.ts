import { DataError, ProgrammingError } from '../persistence/errors.js';
import type { Closable } from '../persistence/recorders.js';
import { describe } from '../persistence/validation.js';
import type { PostgresDatastore } from './postgres-datastore.js';

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
  private readyPromise: Promise<void> | null = null;

  constructor(datastore: PostgresDatastore) {
    this.datastore = datastore;
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

/**
 * An int8 from the database as a number: `pg` gives the text when it is above
 * `Number.MAX_SAFE_INTEGER`, which is a `DataError`.
 */
export function toSafeInteger(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  throw new DataError(
    `The ${what} ${describe(value)} read from PostgreSQL is above Number.MAX_SAFE_INTEGER and ` +
      'cannot be represented exactly as a JavaScript number.',
  );
}

/** Stored bytes as a `Uint8Array` (`pg` gives a Buffer; null stays empty). */
export function toBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}
