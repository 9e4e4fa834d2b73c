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
import { PostgresAggregateRecorder } from './postgres-aggregate-recorder.js';
import { PostgresApplicationRecorder } from './postgres-application-recorder.js';
import { PostgresDatastore } from './postgres-datastore.js';
import { PostgresProcessRecorder } from './postgres-process-recorder.js';
import { PostgresKeys, type PostgresSettings, parsePostgresSettings } from './postgres-settings.js';
import { PostgresTrackingRecorder } from './postgres-tracking-recorder.js';

/** The recorder types `PostgresFactory` makes. */
export interface PostgresRecorders {
  aggregate: PostgresAggregateRecorder;
  application: PostgresApplicationRecorder;
  tracking: PostgresTrackingRecorder;
  process: PostgresProcessRecorder;
}

/**
 * The PostgreSQL persistence module's factory (Python's `PostgresFactory`), selected with
 * `PERSISTENCE_MODULE=postgres` (or `eventsourcing.postgres`). Its constructor reads and checks
 * the environment (bad values are an `InfrastructureFactoryError` naming the key) and does no
 * I/O; the recorders connect and create their tables on first use, or in `ready()`.
 *
 * Table names start with the application's name lower-cased (`Environment.name`): events in
 * `{name}_events`, snapshots in `{name}_snapshots`, tracking in `{name}_tracking`; unnamed,
 * `stored_events`, `stored_snapshots` and `notification_tracking`, as in Python. The factory's
 * recorders share one pool; `close()` ends it and every LISTEN connection.
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

  /** @throws InfrastructureFactoryError for a missing or invalid environment value. */
  constructor(env: Environment) {
    super(env);
    this.settings = parsePostgresSettings(env);
    this.datastore = new PostgresDatastore(this.settings);
  }

  /** A recorder of aggregate events in `{name}_{purpose}` (`purpose`: 'events', 'snapshots'). */
  protected override createAggregateRecorder(purpose: string): PostgresAggregateRecorder {
    return new PostgresAggregateRecorder(this.datastore, `${this.prefix('stored')}_${purpose}`);
  }

  /** The application's recorder of events and notifications, in `{name}_events`. */
  protected override createApplicationRecorder(
    recorderClass: RecorderClass<ApplicationRecorder> | null,
  ): PostgresApplicationRecorder {
    const cls =
      recorderClass === null
        ? PostgresApplicationRecorder
        : this.checkRecorderClass(recorderClass, PostgresApplicationRecorder);
    return new cls(this.datastore, `${this.prefix('stored')}_events`);
  }

  /** A recorder of tracking in `{name}_tracking` (or a view class's tables and that table). */
  protected override createTrackingRecorder(
    recorderClass: RecorderClass<TrackingRecorder> | null,
  ): PostgresTrackingRecorder {
    const cls =
      recorderClass === null
        ? PostgresTrackingRecorder
        : this.checkRecorderClass(recorderClass, PostgresTrackingRecorder);
    return new cls(this.datastore, `${this.prefix('notification')}_tracking`);
  }

  /** A recorder of events and tracking, in `{name}_events` and `{name}_tracking`. */
  protected override createProcessRecorder(
    recorderClass: RecorderClass<ProcessRecorder> | null,
  ): PostgresProcessRecorder {
    const cls =
      recorderClass === null
        ? PostgresProcessRecorder
        : this.checkRecorderClass(recorderClass, PostgresProcessRecorder);
    return new cls(
      this.datastore,
      `${this.prefix('stored')}_events`,
      `${this.prefix('notification')}_tracking`,
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
