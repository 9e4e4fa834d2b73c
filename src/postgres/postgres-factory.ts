import { type InspectOptions, inspect } from 'node:util';
import { type ErrorHook, ErrorReporter } from '../persistence/error-reporter.js';
import {
  InfrastructureFactory,
  type RecorderClass,
} from '../persistence/infrastructure-factory.js';
import type {
  ApplicationRecorder,
  ProcessRecorder,
  TrackingRecorder,
} from '../persistence/recorders.js';
import type { Environment } from '../utils/environment.js';
import { inspectRedacted } from '../utils/redact.js';
import type { PgPool } from './driver.js';
import { PostgresAggregateRecorder } from './postgres-aggregate-recorder.js';
import { PostgresApplicationRecorder } from './postgres-application-recorder.js';
import { PostgresDatastore } from './postgres-datastore.js';
import { PostgresDCBRecorder } from './postgres-dcb-recorder.js';
import { PostgresFollowerLock } from './postgres-follower-lock.js';
import { PostgresProcessRecorder } from './postgres-process-recorder.js';
import {
  checkPostgresSettingsOptions,
  PostgresKeys,
  type PostgresSettings,
  type PostgresSettingsOptions,
  parsePostgresSettings,
  redactSettings,
} from './postgres-settings.js';
import { PostgresTrackingRecorder } from './postgres-tracking-recorder.js';

/** The recorder types `PostgresFactory` makes. */
export interface PostgresRecorders {
  /** What `aggregateRecorder()` makes: events of aggregates, or snapshots. */
  aggregate: PostgresAggregateRecorder;
  /** What `applicationRecorder()` makes: events with notification ids. */
  application: PostgresApplicationRecorder;
  /** What `trackingRecorder()` makes: positions in upstream applications. */
  tracking: PostgresTrackingRecorder;
  /** What `processRecorder()` makes: events and tracking in one transaction. */
  process: PostgresProcessRecorder;
}

/**
 * Typed options of `PostgresFactory`, on top of the environment: each setting given here
 * overrides its environment key (`poolSize` over `POSTGRES_POOL_SIZE`, …; times in seconds).
 */
export interface PostgresFactoryOptions extends PostgresSettingsOptions {
  /**
   * A `pg.Pool` of yours to use instead of making one (Drizzle's `drizzle({ client })` style):
   * the connection keys are then not needed, the LISTEN connection of subscriptions is made
   * with the pool's options, the pool keeps its own type parsers for your queries, and
   * `close()` leaves it open: you end it.
   */
  pool?: PgPool | null | undefined;
  /**
   * Receives errors of background work: a pooled connection lost while idle ('pool'), the
   * LISTEN connection failing ('listen'), a subscription retrying while the server is down
   * ('subscription'). Without it, the first error of each source is a process warning.
   */
  onError?: ErrorHook | null | undefined;
}

const FACTORY_OPTION_KEYS = ['pool', 'onError'];

/**
 * The PostgreSQL persistence module's factory (Python's `PostgresFactory`), selected with
 * `PERSISTENCE_MODULE=postgres` (or `eventsourcing.postgres`). Its constructor reads and checks
 * the environment (bad values are an `InfrastructureFactoryError` naming the key) and does no
 * I/O; the recorders connect and create their tables on first use, or in `ready()`.
 *
 * Table names start with the application's name lower-cased (`Environment.name`): events in
 * `{name}_events`, snapshots in `{name}_snapshots`, tracking in `{name}_tracking`; unnamed,
 * `stored_events`, `stored_snapshots` and `notification_tracking`, as in Python. The factory's
 * recorders share one pool (its own, or the one given as the `pool` option); `close()` ends
 * every LISTEN connection and the pool it made.
 *
 * @example
 * ```ts no-run
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const factory = new PostgresFactory(new Environment('DogSchool', process.env), {
 *   pool,
 *   onError: (error, source) => logger.warn({ error, source }, 'eventsourcing'),
 * });
 * const app = new DogSchool({ factory });
 * ```
 */
export class PostgresFactory extends InfrastructureFactory<PostgresRecorders> {
  /** A connection URL (`postgres://user:password@host:port/dbname?sslmode=…`). */
  static readonly POSTGRES_URL = PostgresKeys.POSTGRES_URL;
  /** The database name (required unless a URL gives it). */
  static readonly POSTGRES_DBNAME = PostgresKeys.POSTGRES_DBNAME;
  /** The server's host name or address (required unless a URL gives it). */
  static readonly POSTGRES_HOST = PostgresKeys.POSTGRES_HOST;
  /** The server's port (default 5432). */
  static readonly POSTGRES_PORT = PostgresKeys.POSTGRES_PORT;
  /** The user name (required unless a URL gives it). */
  static readonly POSTGRES_USER = PostgresKeys.POSTGRES_USER;
  /** The password (required unless a URL or `POSTGRES_GET_PASSWORD_TOPIC` gives it). */
  static readonly POSTGRES_PASSWORD = PostgresKeys.POSTGRES_PASSWORD;
  /** Names a registered function that returns the password, called for each new connection. */
  static readonly POSTGRES_GET_PASSWORD_TOPIC = PostgresKeys.POSTGRES_GET_PASSWORD_TOPIC;
  /** Seconds to wait for a connection (default 30). */
  static readonly POSTGRES_CONNECT_TIMEOUT = PostgresKeys.POSTGRES_CONNECT_TIMEOUT;
  /** Seconds after which a pooled connection is replaced (default 3600; 0: never). */
  static readonly POSTGRES_CONN_MAX_AGE = PostgresKeys.POSTGRES_CONN_MAX_AGE;
  /** Whether to check a connection before each write (default no). */
  static readonly POSTGRES_PRE_PING = PostgresKeys.POSTGRES_PRE_PING;
  /** How many requests may wait for a connection (default 0: no limit). */
  static readonly POSTGRES_MAX_WAITING = PostgresKeys.POSTGRES_MAX_WAITING;
  /** Seconds a write waits for the table lock (default 0: no limit). */
  static readonly POSTGRES_LOCK_TIMEOUT = PostgresKeys.POSTGRES_LOCK_TIMEOUT;
  /** Connections kept in the pool (default 5). */
  static readonly POSTGRES_POOL_SIZE = PostgresKeys.POSTGRES_POOL_SIZE;
  /** Extra connections under load (default 10). */
  static readonly POSTGRES_MAX_OVERFLOW = PostgresKeys.POSTGRES_MAX_OVERFLOW;
  /** Seconds before the server ends a session idle in a transaction (default 5). */
  static readonly POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT =
    PostgresKeys.POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT;
  /** The schema of the tables (default `public`). */
  static readonly POSTGRES_SCHEMA = PostgresKeys.POSTGRES_SCHEMA;
  /** Whether recorders create their tables (default yes). */
  static readonly CREATE_TABLE = PostgresKeys.CREATE_TABLE;
  /** `uuid` (default) or `text`: the type of the originator id column. */
  static readonly ORIGINATOR_ID_TYPE = PostgresKeys.ORIGINATOR_ID_TYPE;
  /** One tracking row per application (default yes), or one per notification. */
  static readonly SINGLE_ROW_TRACKING = PostgresKeys.SINGLE_ROW_TRACKING;

  /** The settings read from the environment. */
  readonly settings: PostgresSettings;
  /** The connections shared by this factory's recorders (the pool is made on first use). */
  readonly datastore: PostgresDatastore;
  private dcb: PostgresDCBRecorder | null = null;

  /**
   * @throws InfrastructureFactoryError for a missing or invalid environment value.
   * @throws TypeError for an unknown or invalid option.
   */
  constructor(env: Environment, options: PostgresFactoryOptions = {}) {
    super(env);
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `PostgresFactory options must be an object, not ${options === null ? 'null' : typeof options}.`,
      );
    }
    const pool = options.pool ?? null;
    if (pool !== null && (typeof pool.query !== 'function' || typeof pool.connect !== 'function')) {
      throw new TypeError(
        "PostgresFactory option 'pool' must be a pg.Pool (an object with query() and connect()).",
      );
    }
    const onError = options.onError ?? null;
    if (onError !== null && typeof onError !== 'function') {
      throw new TypeError(
        "PostgresFactory option 'onError' must be a function (error, source) => void.",
      );
    }
    if (onError !== null) this.onError = onError;
    const overrides = checkPostgresSettingsOptions(options, FACTORY_OPTION_KEYS);
    this.settings = parsePostgresSettings(env, overrides, pool === null);
    const reporter = new ErrorReporter(() => this.onError);
    this.datastore = new PostgresDatastore(this.settings, {
      pool,
      report: (error, source) => reporter.report(error, source),
    });
  }

  /** How `util.inspect` shows it: with the password and other secrets redacted. */
  [inspect.custom](depth: number, options: InspectOptions): string {
    return inspectRedacted(this, depth, options, { settings: redactSettings(this.settings) });
  }

  /** A recorder of aggregate events in `{name}_{purpose}` (`purpose`: 'events', 'snapshots'). */
  protected override createAggregateRecorder(purpose: string): PostgresAggregateRecorder {
    return new PostgresAggregateRecorder(this.datastore, `${this.prefix('stored')}_${purpose}`);
  }

  /** The application's recorder of events and notifications, in `{name}_events`. */
  protected override createApplicationRecorder(
    recorderClass: RecorderClass<ApplicationRecorder> | null,
  ): PostgresApplicationRecorder {
    const cls = this.recorderClassOr(recorderClass, PostgresApplicationRecorder);
    return new cls(this.datastore, `${this.prefix('stored')}_events`);
  }

  /** A recorder of tracking in `{name}_tracking` (or a view class's tables and that table). */
  protected override createTrackingRecorder(
    recorderClass: RecorderClass<TrackingRecorder> | null,
  ): PostgresTrackingRecorder {
    const cls = this.recorderClassOr(recorderClass, PostgresTrackingRecorder);
    return new cls(this.datastore, `${this.prefix('notification')}_tracking`);
  }

  /** A recorder of events and tracking, in `{name}_events` and `{name}_tracking`. */
  protected override createProcessRecorder(
    recorderClass: RecorderClass<ProcessRecorder> | null,
  ): PostgresProcessRecorder {
    const cls = this.recorderClassOr(recorderClass, PostgresProcessRecorder);
    return new cls(
      this.datastore,
      `${this.prefix('stored')}_events`,
      `${this.prefix('notification')}_tracking`,
    );
  }

  /**
   * The DCB event store, in Python's `{name}_events_tt_main` and `{name}_events_tt_tag` (the
   * application's name lower-cased; `dcb_events_tt_*` when unnamed, as in Python).
   */
  protected override createDCBRecorder(): PostgresDCBRecorder {
    // One per factory, as the memory factory does: concurrent appends of the process then share
    // one queue, and are combined.
    this.dcb ??= new PostgresDCBRecorder(this.datastore, this.prefix('dcb'));
    return this.dcb;
  }

  /**
   * A session advisory lock keyed from the schema and the application's table prefix, on a
   * connection of its own: one process at a time owns this application as a follower.
   */
  override followerLock(): PostgresFollowerLock {
    return new PostgresFollowerLock(
      this.datastore,
      `${this.settings.schema}.${this.prefix('stored')}`,
    );
  }

  /** Closes the recorders, then the pool and LISTEN connections. Safe to repeat. */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.datastore.close();
    }
  }

  private prefix(unnamed: string): string {
    return this.env.name.toLowerCase() || unnamed;
  }
}
