import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { InfrastructureFactoryError } from '../persistence/errors.js';

/**
 * A query as `pg` takes it: `name` makes it a prepared statement (parsed once per connection),
 * `rowMode: 'array'` returns rows as arrays (cheaper than objects).
 */
export interface PgQueryConfig {
  /** The SQL text, with `$1`, `$2` … for the values. */
  readonly text: string;
  /** The values of the statement's parameters, in order. */
  readonly values?: readonly unknown[];
  /** The prepared statement's name: the same name must always have the same text. */
  readonly name?: string;
  /** `'array'`: each row an array of column values, instead of an object. */
  readonly rowMode?: 'array';
  /** Type parsers for this query alone (used on pools the user owns, whose own stay as they are). */
  readonly types?: PgTypes;
}

/** What `pg` resolves a query to (the parts this module uses). */
export interface PgQueryResult {
  /** The rows returned (arrays or objects, by the query's `rowMode`). */
  readonly rows: unknown[];
  /** How many rows the statement returned or changed, when the server says. */
  readonly rowCount: number | null;
}

/** A LISTEN/NOTIFY message. */
export interface PgNotification {
  /** The channel notified (this library's: the events table's name). */
  readonly channel: string;
  /** The text sent with the notification, if any. */
  readonly payload?: string | undefined;
}

/**
 * The parts of a `pg` `Client` this module uses. Local interfaces, so that the module's
 * declarations never reference the driver's types (the driver is an optional peer).
 */
export interface PgClient {
  /** Opens the connection. */
  connect(): Promise<unknown>;
  /** Runs a statement. */
  query(config: PgQueryConfig | string): Promise<PgQueryResult>;
  /** Closes the connection. */
  end(): Promise<void>;
  /** Listens for the connection's errors (an unhandled one would crash the process). */
  on(event: 'error', listener: (error: Error) => void): PgClient;
  /** Listens for the connection's end. */
  on(event: 'end', listener: () => void): PgClient;
  /** Listens for LISTEN/NOTIFY messages. */
  on(event: 'notification', listener: (message: PgNotification) => void): PgClient;
  /** Stops listening for errors with this listener. */
  removeListener(event: 'error', listener: (error: Error) => void): PgClient;
  /** Stops every listener of the event (of every event when none is given). */
  removeAllListeners(event?: string): PgClient;
}

/** A client checked out of a pool. `release(true)` destroys it instead of reusing it. */
export interface PgPoolClient extends PgClient {
  /** Returns the client to the pool, or destroys it when `destroy` is true or an error. */
  release(destroy?: boolean | Error): void;
}

/**
 * The parts of a `pg` `Pool` this module uses: a `new pg.Pool(...)` of your own is one (pass
 * it as `PostgresFactory`'s `pool` option to share it).
 */
export interface PgPool {
  /** Checks a client out of the pool (give it back with `release`). */
  connect(): Promise<PgPoolClient>;
  /** Runs a statement on any idle client. */
  query(config: PgQueryConfig): Promise<PgQueryResult>;
  /** Closes every client of the pool. */
  end(): Promise<void>;
  /** Listens for errors of idle clients (an unhandled one would crash the process). */
  on(event: 'error', listener: (error: Error) => void): PgPool;
  /** Listens for new clients, before they are first used. */
  on(event: 'connect', listener: (client: PgPoolClient) => void): PgPool;
  /** Stops listening for errors with this listener. */
  removeListener(event: 'error', listener: (error: Error) => void): PgPool;
  /**
   * The options the pool was made with (pg's `pool.options`): a subscription's LISTEN
   * connection, which must be outside the pool, is made with them.
   */
  readonly options?: object;
  /** How many `connect()` calls wait for a client. */
  readonly waitingCount: number;
  /** How many clients the pool has, idle or checked out. */
  readonly totalCount: number;
}

/** Parses one value of a type from its text form. */
export type PgTypeParser = (value: string) => unknown;

/** What `pg` calls to find a type's parser; given per pool, so nothing global changes. */
export interface PgTypes {
  /** The parser of the type with this OID, in the given format (`'text'` by default). */
  getTypeParser(oid: number, format?: string): PgTypeParser;
}

/** Connection options common to a pool and a client (pg's names). */
export interface PgConnectionConfig {
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | (() => string | Promise<string>) | undefined;
  database?: string | undefined;
  ssl?: boolean | { rejectUnauthorized: boolean } | undefined;
  connectionTimeoutMillis?: number;
  idle_in_transaction_session_timeout?: number;
  keepAlive?: boolean;
  application_name?: string;
  types?: PgTypes;
}

/** Pool options (pg-pool's names). */
export interface PgPoolConfig extends PgConnectionConfig {
  max?: number;
  min?: number;
  idleTimeoutMillis?: number;
  maxLifetimeSeconds?: number;
  /** Idle connections do not keep the process alive (pg-pool 3.5 and later). */
  allowExitOnIdle?: boolean;
}

/** The parts of the `pg` module this module uses. */
export interface PgModule {
  Pool: new (config: PgPoolConfig) => PgPool;
  Client: new (config: PgConnectionConfig) => PgClient;
  types: PgTypes;
}

/** The package the PostgreSQL module needs. */
export const PG_DRIVER_PACKAGE = 'pg';

const loaded = new Map<string, PgModule>();

/**
 * Loads `pg` (or the named module) synchronously, once, on first use: the driver is an optional
 * peer dependency, so importing `eventsourcing/postgres` never needs it.
 *
 * @throws InfrastructureFactoryError saying to `npm install pg` when the package is missing.
 */
export function loadPg(moduleName: string = PG_DRIVER_PACKAGE): PgModule {
  const cached = loaded.get(moduleName);
  if (cached !== undefined) return cached;
  let mod: PgModule;
  try {
    const required = createRequire(import.meta.url)(moduleName) as PgModule & {
      default?: PgModule;
    };
    mod = typeof required.Pool === 'function' ? required : (required.default as PgModule);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
    throw new InfrastructureFactoryError(
      missing
        ? `The PostgreSQL persistence module needs the '${moduleName}' package, which is not ` +
            `installed: run 'npm install ${moduleName}'.`
        : `The '${moduleName}' package could not be loaded: ${String(error)}. Reinstall it ` +
            `with 'npm install ${moduleName}'.`,
      { cause: error },
    );
  }
  if (mod === undefined || typeof mod.Pool !== 'function' || typeof mod.Client !== 'function') {
    throw new InfrastructureFactoryError(
      `'${moduleName}' does not look like the pg package (no Pool and Client): run 'npm install pg'.`,
    );
  }
  loaded.set(moduleName, mod);
  return mod;
}

/** The type id of PostgreSQL's `int8` (bigint, bigserial). */
const INT8_OID = 20;
/** The type id of PostgreSQL's `bytea`. */
const BYTEA_OID = 17;

/**
 * Parses int8 to a number when it is a safe integer, else leaves the text (recorders turn that
 * into a `DataError`): `pg`'s default keeps every int8 as a string.
 */
export function parseInt8(value: string): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/**
 * Parses bytea in PostgreSQL's hex form (`\\x…`, the server default since 9.0) with one
 * character check instead of `pg`'s regular expression, as event state is read once per row;
 * any other form goes to `pg`'s parser.
 */
function hexByteaParser(fallback: PgTypeParser): PgTypeParser {
  return (value: string) =>
    value.charCodeAt(0) === 92 && value.charCodeAt(1) === 120
      ? Buffer.from(value.substring(2), 'hex')
      : fallback(value);
}

/**
 * The type parsers of this module's pools and clients: `pg`'s, except int8 parsed to numbers
 * and hex bytea read directly.
 * Given as each pool's `types` option, never through the global `pg.types.setTypeParser`,
 * which would change the results of the user's own queries.
 */
export function int8Types(pg: PgModule): PgTypes {
  const base = pg.types;
  const byteaParser = hexByteaParser(base.getTypeParser(BYTEA_OID, 'text'));
  return {
    getTypeParser(oid: number, format?: string): PgTypeParser {
      if (format === undefined || format === 'text') {
        if (oid === INT8_OID) return parseInt8;
        if (oid === BYTEA_OID) return byteaParser;
      }
      return base.getTypeParser(oid, format);
    },
  };
}
