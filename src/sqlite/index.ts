/**
 * `eventsourcing/sqlite`: SQLite persistence (better-sqlite3, an optional peer dependency),
 * selected with `PERSISTENCE_MODULE=sqlite` and `SQLITE_DBNAME`. Importing it registers the
 * module names `sqlite` and `eventsourcing.sqlite`.
 */
import { registerPersistenceModule } from '../persistence/infrastructure-factory.js';
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
export { SQLiteAggregateRecorder } from './sqlite-aggregate-recorder.js';
export {
  DEFAULT_SQLITE_POLL_INTERVAL,
  SQLiteApplicationRecorder,
} from './sqlite-application-recorder.js';
export {
  DEFAULT_SQLITE_LOCK_TIMEOUT,
  type OriginatorIdType,
  SQLiteDatastore,
  type SQLiteDatastoreOptions,
  type SqliteConnection,
  type SqliteSynchronous,
} from './sqlite-datastore.js';
export { parseSqliteDbName, type SqliteTarget } from './sqlite-db-name.js';
export { SQLiteFactory } from './sqlite-factory.js';
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

// Importing this module makes it a value of PERSISTENCE_MODULE (Python's name too).
registerPersistenceModule('sqlite', SQLiteFactory);
registerPersistenceModule('eventsourcing.sqlite', SQLiteFactory);
