import { Buffer } from 'node:buffer';
import { ProgrammingError } from '../persistence/errors.js';
import type { Closable } from '../persistence/recorders.js';
import { qualified } from './identifiers.js';
import type { PostgresDatastore } from './postgres-datastore.js';
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

  /**
   * Whether states are selected as text in PostgreSQL's escape format: an ASCII state (JSON,
   * mostly) is then sent as itself, half the size of the hex form of a `bytea`, and becomes bytes
   * again with one copy. States with other bytes come back as octal escapes, slower to undo than
   * hex: once more than a quarter of the states read need that, the recorder selects the `bytea`.
   */
  protected statesAsText = true;
  private statesRead = 0;
  private statesEscaped = 0;

  /** The select-list expression for a state column (`column` names it). */
  protected stateColumn(column = 'state'): string {
    return this.statesAsText ? `encode(${column}, 'escape')` : column;
  }

  /** The bytes of a state column's value, as selected by `stateColumn`. */
  protected stateBytes(value: unknown): Uint8Array {
    if (typeof value !== 'string') return toBytes(value);
    const reads = ++this.statesRead;
    if (value.indexOf('\\') === -1) return Buffer.from(value, 'latin1');
    const escaped = ++this.statesEscaped;
    if (reads >= 64 && escaped * 4 > reads) this.statesAsText = false;
    return unescapeBytea(value);
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

/**
 * The bytes PostgreSQL's escape format (`encode(bytes, 'escape')`) wrote as `text`: a doubled
 * backslash is one backslash byte, a backslash and three octal digits the byte of that value,
 * and every other character its own byte.
 */
export function unescapeBytea(text: string): Uint8Array {
  const n = text.length;
  const out = Buffer.allocUnsafe(n);
  let length = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== 92) {
      out[length++] = c;
    } else if (text.charCodeAt(i + 1) === 92) {
      out[length++] = 92;
      i++;
    } else {
      out[length++] =
        ((text.charCodeAt(i + 1) - 48) << 6) |
        ((text.charCodeAt(i + 2) - 48) << 3) |
        (text.charCodeAt(i + 3) - 48);
      i += 3;
    }
  }
  return out.subarray(0, length);
}

/** Stored bytes as a `Uint8Array` (`pg` gives a Buffer; null stays empty). */
export function toBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}
