import type { StoreTable, TrackingPosition } from '../persistence/store-tables.js';

/** What `StoreInspector.info()` finds of an application's storage. */
export interface StoreInfo {
  /** The application's name (the `APPNAME_` scope and PostgreSQL table prefix). */
  readonly application: string;
  /** The persistence module: `memory`, `sqlite`, `postgres`, or the factory's class name. */
  readonly backend: string;
  /**
   * Where the data lives: the SQLite file, `postgres://user@host:port/dbname` and the schema,
   * or, in memory, a sentence saying it is this process's own.
   */
  readonly location: string;
  /**
   * Whether what is stored lives only in the inspecting process (memory): another process,
   * such as the command-line tool, sees nothing of an application's in-memory events.
   */
  readonly processLocal: boolean;
  /** The application's events table, or null when the backend has no tables. */
  readonly eventsTable: string | null;
  /** Whether the events table exists. */
  readonly eventsTableExists: boolean;
  /** The application's tables found, with their row counts (by name). */
  readonly tables: readonly StoreTable[];
  /** The greatest notification id, or null when nothing is recorded. */
  readonly maxNotificationId: number | null;
  /** The tracking positions recorded in the application's database (by table, then name). */
  readonly tracking: readonly TrackingPosition[];
}
