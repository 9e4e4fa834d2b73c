/**
 * `eventsourcing/sqlite`: SQLite persistence (better-sqlite3, an optional peer dependency),
 * selected with `PERSISTENCE_MODULE=sqlite` (or `eventsourcing.sqlite`) and `SQLITE_DBNAME`.
 */
import { SQLiteFactory } from './sqlite-factory.js';

export {
  loadSqliteDriver,
  SQLITE_DRIVER_PACKAGE,
  type SqliteDatabase,
  type SqliteDatabaseConstructor,
  type SqliteDatabaseOptions,
  type SqliteRunResult,
  type SqliteStatement,
} from './driver.js';
export { LockUnavailable } from './lock-unavailable.js';
export { SQLiteAggregateRecorder } from './sqlite-aggregate-recorder.js';
export {
  DEFAULT_SQLITE_POLL_INTERVAL,
  SQLiteApplicationRecorder,
} from './sqlite-application-recorder.js';
export {
  DEFAULT_SQLITE_LOCK_TIMEOUT,
  type OriginatorIdType,
  SQLITE_BUSY_TIMEOUT,
  SQLiteDatastore,
  type SQLiteDatastoreOptions,
  type SqliteConnection,
  type SqliteSynchronous,
} from './sqlite-datastore.js';
export { parseSqliteDbName, type SqliteTarget } from './sqlite-db-name.js';
export { SQLiteDCBRecorder } from './sqlite-dcb-recorder.js';
export { SQLiteFactory, type SQLiteRecorders } from './sqlite-factory.js';
export type { SQLiteFactoryOptions } from './sqlite-factory-options.js';
export { SQLiteFollowerLock } from './sqlite-follower-lock.js';
export { SQLiteLockQueue } from './sqlite-lock-queue.js';
export { SQLiteProcessRecorder } from './sqlite-process-recorder.js';
export { SQLiteRecorder } from './sqlite-recorder.js';
export { SQLiteTrackingRecorder } from './sqlite-tracking-recorder.js';
export {
  SQLiteTrackingTable,
  TRACKING_MIGRATION_ID,
  TRACKING_TABLE_NAME,
} from './sqlite-tracking-table.js';

/** The module's factory under the name `InfrastructureFactory.construct` looks for first. */
export const Factory = SQLiteFactory;
/** The module's factory under the name `InfrastructureFactory.construct` looks for first. */
export type Factory = SQLiteFactory;
