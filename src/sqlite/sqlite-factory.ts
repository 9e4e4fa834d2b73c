import { InfrastructureFactoryError } from '../persistence/errors.js';
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
import { strtobool } from '../utils/strtobool.js';
import { SQLiteAggregateRecorder } from './sqlite-aggregate-recorder.js';
import { SQLiteApplicationRecorder } from './sqlite-application-recorder.js';
import {
  type OriginatorIdType,
  SQLiteDatastore,
  type SqliteSynchronous,
} from './sqlite-datastore.js';
import { SQLiteDCBRecorder } from './sqlite-dcb-recorder.js';
import { checkSQLiteFactoryOptions, type SQLiteFactoryOptions } from './sqlite-factory-options.js';
import { SQLiteFollowerLock } from './sqlite-follower-lock.js';
import { SQLiteProcessRecorder } from './sqlite-process-recorder.js';
import { SQLiteTrackingRecorder } from './sqlite-tracking-recorder.js';

/** The recorder types `SQLiteFactory` makes. */
export interface SQLiteRecorders {
  /** What `aggregateRecorder()` makes: events of aggregates, or snapshots. */
  aggregate: SQLiteAggregateRecorder;
  /** What `applicationRecorder()` makes: events with notification ids. */
  application: SQLiteApplicationRecorder;
  /** What `trackingRecorder()` makes: positions in upstream applications. */
  tracking: SQLiteTrackingRecorder;
  /** What `processRecorder()` makes: events and tracking in one transaction. */
  process: SQLiteProcessRecorder;
}

const SYNCHRONOUS_VALUES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/**
 * The SQLite persistence module's factory (Python's `SQLiteFactory`), selected by
 * `PERSISTENCE_MODULE=sqlite` (or `eventsourcing.sqlite`). Its constructor reads and checks the
 * environment but does no I/O: the database is opened, and tables created, on first use.
 *
 * Environment keys (each may be scoped with the `APPNAME_` prefix): `SQLITE_DBNAME` (required:
 * a path, `:memory:` or a `file:` URI), `SQLITE_LOCK_TIMEOUT` (whole seconds, default 5),
 * `SQLITE_SYNCHRONOUS` (`OFF|NORMAL|FULL|EXTRA`, default `FULL`), `CREATE_TABLE` (default yes),
 * `ORIGINATOR_ID_TYPE` (`uuid|text`, default `uuid`), `SINGLE_ROW_TRACKING` (default yes).
 *
 * Typed options override the keys: `new SQLiteFactory(env, { database, dbName, lockTimeout,
 * synchronous, originatorIdType, singleRowTracking, createTable })`; `database` is an open
 * better-sqlite3 `Database` of the user's, which the factory uses and does not close.
 *
 * All the recorders of one factory share one connection (`datastore`); `close()` closes them
 * and it (unless it is the user's).
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { Environment } from 'eventsourcing';
 * import { SQLiteFactory } from 'eventsourcing/sqlite';
 *
 * const database = new Database('dogs.db'); // yours: the factory does not close it
 * const factory = new SQLiteFactory(new Environment('DogSchool'), { database });
 * await using school = new DogSchool({ factory }); // an Application subclass
 * ```
 */
export class SQLiteFactory extends InfrastructureFactory<SQLiteRecorders> {
  /** Names the database file (or `:memory:`, or a `file:` URI). Required. */
  static readonly SQLITE_DBNAME = 'SQLITE_DBNAME';
  /** Whole seconds to wait for another connection's write lock (default 5). */
  static readonly SQLITE_LOCK_TIMEOUT = 'SQLITE_LOCK_TIMEOUT';
  /** `PRAGMA synchronous`: OFF, NORMAL, FULL (default) or EXTRA. */
  static readonly SQLITE_SYNCHRONOUS = 'SQLITE_SYNCHRONOUS';
  /** One tracking row per upstream application (default true). */
  static readonly SQLITE_SINGLE_ROW_TRACKING = 'SINGLE_ROW_TRACKING';
  /** `uuid` (default) or `text`. */
  static readonly ORIGINATOR_ID_TYPE = 'ORIGINATOR_ID_TYPE';
  /** Whether recorders create their tables (default yes). */
  static readonly CREATE_TABLE = 'CREATE_TABLE';

  /** The database all this factory's recorders use. */
  readonly datastore: SQLiteDatastore;

  /**
   * Reads the environment, with the typed `options` overriding its keys (no I/O).
   *
   * @throws InfrastructureFactoryError naming the key for a missing or invalid environment
   * value; TypeError for a bad option.
   */
  constructor(env: Environment, options?: SQLiteFactoryOptions) {
    super(env);
    const o = checkSQLiteFactoryOptions(options);
    const database = o.database ?? null;
    let dbName =
      o.dbName ?? (database === null ? this.env.get(SQLiteFactory.SQLITE_DBNAME) : undefined);
    if (database !== null) dbName = database.name;
    if (dbName === undefined || dbName.trim() === '') {
      throw new InfrastructureFactoryError(
        'SQLite database name not found in environment with keys: ' +
          `${this.env.createKeys(SQLiteFactory.SQLITE_DBNAME).join(', ')}. Set it to a file ` +
          "path (or ':memory:'), or give the factory a 'dbName' or 'database' option.",
      );
    }
    this.datastore = new SQLiteDatastore(database === null ? dbName.trim() : dbName, {
      database,
      lockTimeout: o.lockTimeout ?? this.envLockTimeout(),
      synchronous: o.synchronous ?? this.envSynchronous(database === null),
      originatorIdType: o.originatorIdType ?? this.envOriginatorIdType(),
      singleRowTracking:
        o.singleRowTracking ?? this.flag(SQLiteFactory.SQLITE_SINGLE_ROW_TRACKING, true),
      createTable: o.createTable ?? this.flag(SQLiteFactory.CREATE_TABLE, true),
    });
  }

  /** `SQLITE_LOCK_TIMEOUT` (seconds) in milliseconds, or `null` when not set. */
  private envLockTimeout(): number | null {
    const text = (this.env.get(SQLiteFactory.SQLITE_LOCK_TIMEOUT) ?? '').trim();
    if (text === '') return null;
    const seconds = /^[+]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(seconds) || seconds * 1000 > 2 ** 31 - 1) {
      throw new InfrastructureFactoryError(
        `SQLite environment value for key '${this.keyOf(SQLiteFactory.SQLITE_LOCK_TIMEOUT)}' ` +
          `is invalid. If set, an int or empty string is expected: '${text}'`,
      );
    }
    return seconds * 1000;
  }

  /** `SQLITE_SYNCHRONOUS`; when not set, `FULL`, or `null` (leave it) on a user's database. */
  private envSynchronous(ownConnection: boolean): SqliteSynchronous | null {
    const text = (this.env.get(SQLiteFactory.SQLITE_SYNCHRONOUS) ?? '').trim();
    if (text === '') return ownConnection ? 'FULL' : null;
    const synchronous = text.toUpperCase() as SqliteSynchronous;
    if (!SYNCHRONOUS_VALUES.includes(synchronous)) {
      throw new InfrastructureFactoryError(
        `SQLite environment value for key '${this.keyOf(SQLiteFactory.SQLITE_SYNCHRONOUS)}' is ` +
          `invalid. If set, one of OFF, NORMAL, FULL or EXTRA is expected: '${text}'`,
      );
    }
    return synchronous;
  }

  /** `ORIGINATOR_ID_TYPE` (default `uuid`). */
  private envOriginatorIdType(): OriginatorIdType {
    const text = (this.env.get(SQLiteFactory.ORIGINATOR_ID_TYPE) ?? '').trim();
    const idType = (text === '' ? 'uuid' : text.toLowerCase()) as OriginatorIdType;
    if (idType !== 'uuid' && idType !== 'text') {
      throw new InfrastructureFactoryError(
        `Invalid ${this.keyOf(SQLiteFactory.ORIGINATOR_ID_TYPE)} '${text}', must be ` +
          "'uuid' or 'text'",
      );
    }
    return idType;
  }

  /** A recorder of table `stored_<purpose>` (`stored_events`, `stored_snapshots`, ...). */
  protected override createAggregateRecorder(purpose: string): SQLiteAggregateRecorder {
    return new SQLiteAggregateRecorder(this.datastore, `stored_${purpose}`);
  }

  /** A recorder of table `stored_events`, whose rowids are the notification ids. */
  protected override createApplicationRecorder(
    recorderClass: RecorderClass<ApplicationRecorder> | null,
  ): SQLiteApplicationRecorder {
    const cls = this.recorderClassOr(recorderClass, SQLiteApplicationRecorder);
    return new cls(this.datastore);
  }

  /** A recorder of table `tracking` (or a view class's tables and `tracking`). */
  protected override createTrackingRecorder(
    recorderClass: RecorderClass<TrackingRecorder> | null,
  ): SQLiteTrackingRecorder {
    const cls = this.recorderClassOr(recorderClass, SQLiteTrackingRecorder);
    return new cls(this.datastore);
  }

  /** A recorder of tables `stored_events` and `tracking`. */
  protected override createProcessRecorder(
    recorderClass: RecorderClass<ProcessRecorder> | null,
  ): SQLiteProcessRecorder {
    const cls = this.recorderClassOr(recorderClass, SQLiteProcessRecorder);
    return new cls(this.datastore);
  }

  /**
   * A DCB recorder of tables `{prefix}_events_tt_main` and `{prefix}_events_tt_tag`, the
   * prefix being the application's name lower-cased, or `dcb` (as Python names them).
   */
  protected override createDCBRecorder(): SQLiteDCBRecorder {
    return new SQLiteDCBRecorder(this.datastore, this.env.name.toLowerCase() || 'dcb');
  }

  /**
   * An open write transaction on a lock file beside the database (`<dbfile>.owner`): one
   * process at a time owns this application as a follower. `null` for an in-memory database
   * (one process has it) and for a user's connection.
   */
  override followerLock(): SQLiteFollowerLock | null {
    const { target } = this.datastore;
    if (target.memory || this.datastore.isExternal) return null;
    return new SQLiteFollowerLock(`${target.filename}.owner`);
  }

  /** Closes every recorder this factory made, then the connection. Safe to call more than once. */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      this.datastore.close();
    }
  }

  /** The key a value was found under (scoped first), for error messages. */
  private keyOf(key: string): string {
    for (const k of this.env.createKeys(key)) if (this.env.vars[k] !== undefined) return k;
    return key;
  }

  private flag(key: string, defaultValue: boolean): boolean {
    const text = (this.env.get(key) ?? '').trim();
    if (text === '') return defaultValue;
    try {
      return strtobool(text);
    } catch {
      throw new InfrastructureFactoryError(
        `SQLite environment value for key '${this.keyOf(key)}' is invalid. If set, a boolean ` +
          `(y, yes, t, true, on, 1 or n, no, f, false, off, 0) is expected: '${text}'`,
      );
    }
  }
}
