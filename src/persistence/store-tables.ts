/** A table of an application's database and how many rows it has. */
export interface StoreTable {
  /** The table's name (schema-qualified on PostgreSQL). */
  readonly name: string;
  /** Its number of rows (counted). */
  readonly rows: number;
}

/** A recorded position: how far a reader has processed an upstream application's log. */
export interface TrackingPosition {
  /** The tracking table it is recorded in (schema-qualified on PostgreSQL). */
  readonly table: string;
  /** The upstream application whose notifications were processed. */
  readonly applicationName: string;
  /** The last notification id processed. */
  readonly notificationId: number;
}

/**
 * Read-only access to the tables of one application's database, below the recorders: which
 * tables there are, their row counts, and the tracking recorded in them. Made by
 * the built-in backends (`SQLiteStoreTables`, `PostgresStoreTables`) for the inspector; nothing here creates or changes a table.
 */
export interface StoreTables {
  /** `sqlite` or `postgres`. */
  readonly backend: string;
  /** Where the database is (a file, or `postgres://user@host:port/dbname` and the schema). */
  readonly location: string;
  /** The name of the application's events table, as `tables()` names it. */
  readonly eventsTable: string;
  /** The tracking table of this name's own recorders, as `trackingPositions()` names it. */
  readonly trackingTable: string;
  /** Checks that the database can be opened or reached (a clear error when not). */
  check(): Promise<void>;
  /** The application's tables with their row counts, by name. */
  tables(): Promise<StoreTable[]>;
  /** Every application's events table in this database (to say which names there are). */
  eventsTablesFound(): Promise<string[]>;
  /** The tracking positions recorded in this database's tracking tables. */
  trackingPositions(): Promise<TrackingPosition[]>;
  /** The name a tracking table gives its reader (`counters` for `counters_tracking`). */
  readerName(table: string): string;
}
