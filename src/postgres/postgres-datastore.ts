import { setTimeout as sleep } from 'node:timers/promises';
import { type InspectOptions, inspect } from 'node:util';
import { ConnectionUnavailableError, InterfaceError } from '../persistence/errors.js';
import type { SubscriptionRetry } from '../persistence/subscription-retry.js';
import { inspectAs } from '../utils/redact.js';
import {
  int8Types,
  loadPg,
  type PgClient,
  type PgConnectionConfig,
  type PgModule,
  type PgPool,
  type PgPoolClient,
  type PgQueryConfig,
  type PgQueryResult,
} from './driver.js';
import { localWakeUpKey } from './local-wake-ups.js';
import {
  isConnectionError,
  isRetriableReadError,
  isTransientError,
  mapPgError,
  type ServerDescription,
} from './pg-errors.js';
import { PostgresListener } from './postgres-listener.js';
import { type PostgresSettings, redactSettings } from './postgres-settings.js';
import { SharedPool } from './shared-pool.js';

/** How many times an idempotent read is tried across dropped connections (Python's 10). */
const READ_ATTEMPTS = 10;
/** Milliseconds between those tries (Python's 0.2 s). */
const READ_RETRY_WAIT = 200;

/**
 * The advisory lock that serialises this library's DDL across processes (two arbitrary int4
 * keys): processes starting together do not collide creating the same tables.
 */
const DDL_LOCK_SQL = 'SELECT pg_advisory_xact_lock(1702258035, 1953719668)';

function noop(): void {}

/** The longest wait between two tries of a subscription's read while the server is down. */
const MAX_SUBSCRIPTION_RETRY_DELAY = 2000;

/** Options of `PostgresDatastore` beyond its settings. */
export interface PostgresDatastoreOptions {
  /**
   * A pool of the user's to use instead of making one: queries get this module's type parsers
   * one by one (the pool's own stay as they are), and `close()` leaves the pool open.
   */
  pool?: PgPool | null | undefined;
  /** Where errors of background work go (the factory's `ErrorReporter`); default: ignored. */
  report?: ((error: unknown, source: string) => void) | undefined;
}

/**
 * One application's connections to PostgreSQL (Python's `PostgresDatastore`): the settings, a
 * `pg` pool made on first use (int8 parsed to numbers by this pool's own type parsers) or the
 * user's, and the LISTEN connections of its subscriptions, one per channel, open only while
 * someone subscribes. Shared by the recorders of one factory; `close()` ends all of it, except
 * a user's pool. Nothing of it keeps the process alive when idle: pooled connections are
 * unref'd while idle (`allowExitOnIdle`), and the LISTEN connection exists only while a
 * subscription does.
 */
export class PostgresDatastore {
  /** The parsed settings. */
  readonly settings: PostgresSettings;
  /**
   * Where it connects, for error messages.
   *
   * @internal
   */
  readonly server: ServerDescription;
  /**
   * How subscriptions ride out an unreachable server: reads that failed at the connection level
   * are reported as 'subscription' errors and retried, with backoff up to 2 s, until they work.
   */
  readonly subscriptionRetry: SubscriptionRetry;
  private pg: PgModule | null = null;
  private poolInstance: PgPool | null = null;
  private readonly userPool: PgPool | null;
  private readonly report: (error: unknown, source: string) => void;
  private readonly listeners = new Map<string, PostgresListener>();
  private closed = false;

  constructor(settings: PostgresSettings, options: PostgresDatastoreOptions = {}) {
    this.settings = settings;
    this.server = {
      host: settings.host,
      port: settings.port,
      dbname: settings.dbname,
      user: settings.user,
    };
    this.userPool = options.pool ?? null;
    const report = options.report ?? noop;
    this.report = report;
    this.subscriptionRetry = {
      isTransient: isTransientError,
      onError: (error) => report(error, 'subscription'),
      maxDelay: MAX_SUBSCRIPTION_RETRY_DELAY,
    };
  }

  /** Whether the pool is the user's (given as an option), which `close()` leaves open. */
  get ownsPool(): boolean {
    return this.userPool === null;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Connection options for a client outside the pool (LISTEN) or inside it. */
  private connectionConfig(): PgConnectionConfig {
    const s = this.settings;
    const config: PgConnectionConfig = {
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      database: s.dbname,
      connectionTimeoutMillis: s.connectTimeout * 1000,
      idle_in_transaction_session_timeout: s.idleInTransactionSessionTimeout * 1000,
      keepAlive: true,
      application_name: 'eventsourcing',
      types: int8Types(this.driver()),
    };
    if (s.ssl !== undefined) config.ssl = s.ssl;
    return config;
  }

  /** The `pg` module, loaded on first use. */
  private driver(): PgModule {
    if (this.pg === null) this.pg = loadPg();
    return this.pg;
  }

  /** The pool, made on first use (no connection is opened until a query needs one). */
  get pool(): PgPool {
    if (this.poolInstance !== null) return this.poolInstance;
    if (this.closed) {
      throw new InterfaceError(
        'The PostgreSQL datastore is closed (its application or factory was closed): make a new ' +
          'one to go on.',
      );
    }
    if (this.userPool !== null) {
      const shared = new SharedPool(this.userPool, int8Types(this.driver()), this.report);
      shared.attach();
      this.poolInstance = shared;
      return shared;
    }
    const s = this.settings;
    const pg = this.driver();
    const pool = new pg.Pool({
      ...this.connectionConfig(),
      max: s.poolSize + s.maxOverflow,
      min: Math.min(s.poolSize, s.poolSize + s.maxOverflow),
      idleTimeoutMillis: 10_000,
      maxLifetimeSeconds: s.connMaxAge,
      // An idle application must not keep the process alive (idle sockets and timers unref'd).
      allowExitOnIdle: true,
    });
    // An idle connection that breaks (server restart) is removed by the pool, which emits
    // 'error': reported, never a crash. A checked-out client's own errors also fail the query
    // in progress or the next one, which reports them to its caller: ignored here.
    pool.on('error', (error) => this.report(error, 'pool'));
    pool.on('connect', (client) => {
      client.on('error', noop);
    });
    this.poolInstance = pool;
    return pool;
  }

  /**
   * Runs an idempotent query, retrying across dropped connections (up to 10 tries, 200 ms
   * apart, as Python's recorders do).
   *
   * @throws the library's error classes (see `mapPgError`).
   */
  async read(config: PgQueryConfig): Promise<PgQueryResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.checkWaiting();
        return await this.pool.query(config);
      } catch (error) {
        if (attempt >= READ_ATTEMPTS || this.closed || !isRetriableReadError(error)) {
          throw mapPgError(error, this.server);
        }
        await sleep(READ_RETRY_WAIT);
      }
    }
  }

  /**
   * A pooled connection for a write, checked with `SELECT 1` first when `POSTGRES_PRE_PING` is
   * on. Release it with `release(client, error)`.
   */
  async connect(): Promise<PgPoolClient> {
    try {
      this.checkWaiting();
      const client = await this.pool.connect();
      if (!this.settings.prePing) return client;
      try {
        await client.query('SELECT 1');
        return client;
      } catch (error) {
        client.release(true);
        if (!isConnectionError(error)) throw error;
        return await this.pool.connect();
      }
    } catch (error) {
      throw mapPgError(error, this.server);
    }
  }

  /** Returns a connection to the pool, destroying it if it failed at the connection level. */
  release(client: PgPoolClient, error?: unknown): void {
    client.release(error !== undefined && isConnectionError(error));
  }

  /**
   * Runs DDL statements in one transaction under this library's advisory lock, so that
   * processes starting together do not collide.
   */
  async ddl(statements: readonly string[]): Promise<void> {
    const client = await this.connect();
    let failure: unknown;
    try {
      await client.query('BEGIN');
      await client.query(DDL_LOCK_SQL);
      for (const statement of statements) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      failure = error;
      await client.query('ROLLBACK').catch(noop);
      throw mapPgError(error, this.server);
    } finally {
      this.release(client, failure);
    }
  }

  /** The LISTEN connection for a channel, shared by the subscriptions of this datastore. */
  listener(channel: string): PostgresListener {
    let listener = this.listeners.get(channel);
    if (listener === undefined) {
      listener = new PostgresListener(
        channel,
        () => this.newClient(),
        this.report,
        localWakeUpKey(this.server, channel),
      );
      // A closed datastore's listener stops its subscriptions at once and never connects.
      if (this.closed) void listener.close();
      else this.listeners.set(channel, listener);
    }
    return listener;
  }

  /**
   * A client outside the pool (for LISTEN), connected as the pool's connections are (with a
   * user's pool, with its options): its user adds the 'error' handler.
   */
  newClient(): PgClient {
    const pg = this.driver();
    const options = this.userPool?.options;
    if (options === undefined) return new pg.Client(this.connectionConfig());
    return new pg.Client({ ...(options as PgConnectionConfig), types: int8Types(pg) });
  }

  /**
   * Stops the subscriptions' LISTEN connections and ends the pool it made; a user's pool is
   * left open (its owner ends it). Safe to repeat.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(listeners.map((l) => l.close()));
    const pool = this.poolInstance;
    if (pool instanceof SharedPool) pool.detach();
    else if (pool !== null) await pool.end();
  }

  /** How `util.inspect` shows it: where it connects, never the password or the pool. */
  [inspect.custom](depth: number, options: InspectOptions): string {
    const shown = { server: this.server, settings: redactSettings(this.settings) };
    return inspectAs('PostgresDatastore', { ...shown, closed: this.closed }, depth, options);
  }

  private checkWaiting(): void {
    const max = this.settings.maxWaiting;
    const pool = this.poolInstance;
    if (max > 0 && pool !== null && pool.waitingCount >= max) {
      throw new ConnectionUnavailableError(
        `${pool.waitingCount} requests are already waiting for a PostgreSQL connection ` +
          `(POSTGRES_MAX_WAITING=${max}): the pool (${pool.totalCount} connections) is saturated. ` +
          'Raise POSTGRES_POOL_SIZE or POSTGRES_MAX_OVERFLOW, or send fewer requests at once.',
      );
    }
  }
}
