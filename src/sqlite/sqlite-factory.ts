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
import { SQLiteProcessRecorder } from './sqlite-process-recorder.js';
import { SQLiteTrackingRecorder } from './sqlite-tracking-recorder.js';

/** The recorder types `SQLiteFactory` makes. */
export interface SQLiteRecorders {
  aggregate: SQLiteAggregateRecorder;
  application: SQLiteApplicationRecorder;
  tracking: SQLiteTrackingRecorder;
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
 * All the recorders of one factory share one connection (`datastore`); `close()` closes them
 * and it.
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

  /** @throws InfrastructureFactoryError naming the key for a missing or invalid value. */
  constructor(env: Environment) {
    super(env);
    const dbName = this.env.get(SQLiteFactory.SQLITE_DBNAME);
    if (dbName === undefined || dbName.trim() === '') {
      throw new InfrastructureFactoryError(
        'SQLite database name not found in environment with keys: ' +
          `${this.env.createKeys(SQLiteFactory.SQLITE_DBNAME).join(', ')}. Set it to a file ` +
          "path (or ':memory:').",
      );
    }
    const lockTimeoutText = (this.env.get(SQLiteFactory.SQLITE_LOCK_TIMEOUT) ?? '').trim();
    let lockTimeout: number | null = null;
    if (lockTimeoutText !== '') {
      lockTimeout = /^[+]?\d+$/.test(lockTimeoutText) ? Number(lockTimeoutText) : Number.NaN;
      if (!Number.isSafeInteger(lockTimeout) || lockTimeout * 1000 > 2 ** 31 - 1) {
        throw new InfrastructureFactoryError(
          `SQLite environment value for key '${this.keyOf(SQLiteFactory.SQLITE_LOCK_TIMEOUT)}' ` +
            `is invalid. If set, an int or empty string is expected: '${lockTimeoutText}'`,
        );
      }
    }
    const synchronousText = (this.env.get(SQLiteFactory.SQLITE_SYNCHRONOUS) ?? '').trim();
    const synchronous = (
      synchronousText === '' ? 'FULL' : synchronousText.toUpperCase()
    ) as SqliteSynchronous;
    if (!SYNCHRONOUS_VALUES.includes(synchronous)) {
      throw new InfrastructureFactoryError(
        `SQLite environment value for key '${this.keyOf(SQLiteFactory.SQLITE_SYNCHRONOUS)}' is ` +
          `invalid. If set, one of OFF, NORMAL, FULL or EXTRA is expected: '${synchronousText}'`,
      );
    }
    const idTypeText = (this.env.get(SQLiteFactory.ORIGINATOR_ID_TYPE) ?? '').trim();
    const originatorIdType = (
      idTypeText === '' ? 'uuid' : idTypeText.toLowerCase()
    ) as OriginatorIdType;
    if (originatorIdType !== 'uuid' && originatorIdType !== 'text') {
      throw new InfrastructureFactoryError(
        `Invalid ${this.keyOf(SQLiteFactory.ORIGINATOR_ID_TYPE)} '${idTypeText}', must be ` +
          "'uuid' or 'text'",
      );
    }
    this.datastore = new SQLiteDatastore(dbName.trim(), {
      lockTimeout,
      synchronous,
      originatorIdType,
      singleRowTracking: this.flag(SQLiteFactory.SQLITE_SINGLE_ROW_TRACKING, true),
      createTable: this.flag(SQLiteFactory.CREATE_TABLE, true),
    });
  }

  /** A recorder of table `stored_<purpose>` (`stored_events`, `stored_snapshots`, ...). */
  protected override createAggregateRecorder(purpose: string): SQLiteAggregateRecorder {
    return new SQLiteAggregateRecorder(this.datastore, `stored_${purpose}`);
  }

  /** A recorder of table `stored_events`, whose rowids are the notification ids. */
  protected override createApplicationRecorder(
    recorderClass: RecorderClass<ApplicationRecorder> | null,
  ): SQLiteApplicationRecorder {
    const cls =
      recorderClass === null
        ? SQLiteApplicationRecorder
        : this.checkRecorderClass(recorderClass, SQLiteApplicationRecorder);
    return new cls(this.datastore);
  }

  /** A recorder of table `tracking` (or a view class's tables and `tracking`). */
  protected override createTrackingRecorder(
    recorderClass: RecorderClass<TrackingRecorder> | null,
  ): SQLiteTrackingRecorder {
    const cls =
      recorderClass === null
        ? SQLiteTrackingRecorder
        : this.checkRecorderClass(recorderClass, SQLiteTrackingRecorder);
    return new cls(this.datastore);
  }

  /** A recorder of tables `stored_events` and `tracking`. */
  protected override createProcessRecorder(
    recorderClass: RecorderClass<ProcessRecorder> | null,
  ): SQLiteProcessRecorder {
    const cls =
      recorderClass === null
        ? SQLiteProcessRecorder
        : this.checkRecorderClass(recorderClass, SQLiteProcessRecorder);
    return new cls(this.datastore);
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
