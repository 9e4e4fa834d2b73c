import type { Application } from '../application/application.js';
import { MemoryFactory } from '../memory/memory-factory.js';
import { InfrastructureFactory } from '../persistence/infrastructure-factory.js';
import type { ApplicationRecorder } from '../persistence/recorders.js';
import type { Notification, StoredEvent } from '../persistence/stored-event.js';
import { PostgresFactory } from '../postgres/postgres-factory.js';
import { SQLiteFactory } from '../sqlite/sqlite-factory.js';
import { Environment, type EnvType } from '../utils/environment.js';
import '../register-persistence-modules.js';
import { InspectionError } from '../persistence/inspection-error.js';
import type { StoreTables, TrackingPosition } from '../persistence/store-tables.js';
import { PostgresStoreTables } from '../postgres/postgres-store-tables.js';
import { SQLiteStoreTables } from '../sqlite/sqlite-store-tables.js';
import { EventDecoder } from './event-decoder.js';
import type { InspectedEvent } from './inspected-event.js';
import type { StoreInfo } from './store-info.js';
import type { TrackingLag } from './tracking-lag.js';

/** Options of `StoreInspector.events`. */
export interface InspectEventsOptions {
  /** Only events up to this version (the aggregate as it was at that version). */
  version?: number | null;
}

/** Options of `StoreInspector.notifications`. */
export interface InspectNotificationsOptions {
  /** The first notification id (default: from the beginning). */
  start?: number | null;
  /** At most this many (default 100). */
  limit?: number;
  /** Only notifications with one of these topics (all when empty or absent). */
  topics?: readonly string[];
}

/** Options of `StoreInspector.tail`. */
export interface InspectTailOptions {
  /** Only notifications with ids greater than this (from the beginning when null). */
  gt?: number | null;
  /** Only notifications with one of these topics (all when empty or absent). */
  topics?: readonly string[];
  /** Aborting it ends the iteration cleanly. */
  signal?: AbortSignal;
}

/**
 * A reader of the application's log that lives in another database, or whose tracking
 * table's name does not say its name: a projection (its view's environment is scoped by the
 * projection's name: `COUNTERS_SQLITE_DBNAME`) or a follower (scoped by its application's
 * name). Its tracking is read from the database that environment names.
 */
export interface LagReader {
  /** The projection's or follower's name (the `NAME_` scope of its environment keys). */
  readonly name: string;
  /** Whether it is a projection or a follower (only shown). */
  readonly kind: 'projection' | 'follower';
}

/** Options of `StoreInspector.lag`. */
export interface InspectLagOptions {
  /** Readers to look for besides those found in the application's own database. */
  readers?: readonly LagReader[];
  /** The time ages are measured to (default: now). */
  now?: Date;
}

/**
 * Reads what an application has stored, for the command-line tool and the event browser: its
 * tables and their counts, an aggregate's events, the notification log, new notifications as
 * they are recorded, and how far its projections and followers lag. Events are decoded by the
 * application's own transcoder, compressor and cipher even when their classes are not
 * imported (see `InspectedEvent`). It never writes: opened from an environment, recorders do
 * not create tables (`CREATE_TABLE=no`) and a SQLite file that does not exist is an
 * `InspectionError`.
 *
 * @example
 * ```ts no-run
 * await using inspector = StoreInspector.open('DogSchool', process.env);
 * console.log(await inspector.info());
 * for (const event of await inspector.notifications({ start: 1, limit: 10 })) {
 *   console.log(event.id, event.topic, event.fields);
 * }
 * ```
 */
export class StoreInspector implements AsyncDisposable {
  /** The application's name: its environment scope (`APPNAME_`) and PostgreSQL table prefix. */
  readonly appName: string;
  /** The application's infrastructure, as its environment makes it. */
  readonly factory: InfrastructureFactory;
  /** The application's recorder. */
  readonly recorder: ApplicationRecorder;
  /** Decodes stored events with the application's mapper. */
  readonly decoder: EventDecoder;
  /** The variables the environment was made of (to open readers' databases for `lag`). */
  private readonly vars: EnvType;
  private readonly storeTables: StoreTables | null;
  private readonly ownsFactory: boolean;
  private eventsTableChecked = false;

  private constructor(options: {
    appName: string;
    factory: InfrastructureFactory;
    recorder: ApplicationRecorder;
    decoder: EventDecoder;
    vars: EnvType;
    ownsFactory: boolean;
  }) {
    this.appName = options.appName;
    this.factory = options.factory;
    this.recorder = options.recorder;
    this.decoder = options.decoder;
    this.vars = options.vars;
    this.ownsFactory = options.ownsFactory;
    this.storeTables = storeTablesOf(options.factory);
  }

  /**
   * Opens the storage of the application called `appName` as its environment configures it
   * (`PERSISTENCE_MODULE`, `SQLITE_DBNAME`, `POSTGRES_*`, `CIPHER_KEY`, `COMPRESSOR_TOPIC`,
   * each scoped by `APPNAME_` as for the application), without I/O: the database is opened
   * on first use. `close()` closes it.
   *
   * @throws InfrastructureFactoryError for a missing or bad environment value.
   */
  static open(appName: string, env: EnvType = process.env): StoreInspector {
    const vars: Record<string, string | undefined> = { ...env, CREATE_TABLE: 'no' };
    if (appName !== '') vars[`${appName.toUpperCase()}_CREATE_TABLE`] = 'no';
    const factory = InfrastructureFactory.construct(new Environment(appName, vars));
    try {
      return new StoreInspector({
        appName,
        factory,
        recorder: factory.applicationRecorder(),
        decoder: new EventDecoder(factory.mapper()),
        vars: env,
        ownsFactory: true,
      });
    } catch (error) {
      factory.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Inspects a running application's storage through its own recorder and mapper (an
   * in-memory application too), for an event browser mounted in the application's process.
   * `close()` leaves the application open.
   */
  static forApplication(app: Application): StoreInspector {
    return new StoreInspector({
      appName: app.name,
      factory: app.factory,
      recorder: app.recorder,
      decoder: new EventDecoder(app.mapper),
      vars: app.env.vars,
      ownsFactory: false,
    });
  }

  /** `memory`, `sqlite`, `postgres`, or the factory's class name for another module. */
  get backend(): string {
    if (this.factory instanceof MemoryFactory) return 'memory';
    return this.storeTables?.backend ?? this.factory.constructor.name;
  }

  /** The backend, the application's tables and their counts, its head, and tracking found. */
  async info(): Promise<StoreInfo> {
    const common = { application: this.appName, backend: this.backend };
    if (this.storeTables === null) {
      const processLocal = this.factory instanceof MemoryFactory;
      return {
        ...common,
        location: processLocal
          ? 'memory of this process only: another process sees none of an application’s ' +
            'in-memory events (set PERSISTENCE_MODULE to sqlite or postgres)'
          : `${this.factory.constructor.name} (a persistence module with no table inspection)`,
        processLocal,
        eventsTable: null,
        eventsTableExists: false,
        tables: [],
        maxNotificationId: await this.recorder.maxNotificationId(),
        tracking: [],
      };
    }
    const tables = await this.storeTables.tables();
    const eventsTable = this.storeTables.eventsTable;
    const eventsTableExists = tables.some((t) => t.name === eventsTable);
    return {
      ...common,
      location: this.storeTables.location,
      processLocal: false,
      eventsTable,
      eventsTableExists,
      tables,
      maxNotificationId: eventsTableExists ? await this.recorder.maxNotificationId() : null,
      tracking: await this.storeTables.trackingPositions(),
    };
  }

  /**
   * The application's last notification id, or null when its log is empty.
   *
   * @throws InspectionError when its events table does not exist.
   */
  async head(): Promise<number | null> {
    await this.checkEventsTable();
    return this.recorder.maxNotificationId();
  }

  /** The events of one aggregate, by version, decoded (up to `version` when given). */
  async events(
    originatorId: string,
    options: InspectEventsOptions = {},
  ): Promise<InspectedEvent[]> {
    await this.checkEventsTable();
    const stored = await this.recorder.selectEvents(originatorId, { lte: options.version ?? null });
    return stored.map((event) => this.decode(event));
  }

  /** Notifications in id order from `start`, at most `limit`, decoded. */
  async notifications(options: InspectNotificationsOptions = {}): Promise<InspectedEvent[]> {
    await this.checkEventsTable();
    const notifications = await this.recorder.selectNotifications(
      options.start ?? null,
      options.limit ?? 100,
      { topics: options.topics ?? [] },
    );
    return notifications.map((n) => this.decode(n));
  }

  /**
   * The notifications after `gt` (from the beginning when null), then each new one as it is
   * recorded, decoded, until `signal` aborts or the loop breaks (through the recorder's
   * `subscribe`: LISTEN/NOTIFY on PostgreSQL, polling on SQLite).
   */
  async *tail(options: InspectTailOptions = {}): AsyncGenerator<InspectedEvent, void, undefined> {
    await this.checkEventsTable();
    if (options.signal?.aborted) return;
    const subscription = this.recorder.subscribe({
      gt: options.gt ?? null,
      topics: options.topics ?? [],
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    try {
      for await (const notification of subscription) yield this.decode(notification);
    } finally {
      subscription.stop();
    }
  }

  /**
   * Each reader of this application's log that can be found: the tracking of this
   * application recorded in its own database (a view in the same SQLite file; on
   * PostgreSQL every tracking table of the schema, `{name}_tracking`), and each of `readers`
   * in the database its environment names. For each, its position, the events behind the
   * log's head, and the age of the oldest unprocessed event.
   */
  async lag(options: InspectLagOptions = {}): Promise<TrackingLag[]> {
    const now = options.now ?? new Date();
    const head = await this.headOrNull();
    const rows: {
      name: string;
      kind: TrackingLag['kind'];
      where: string;
      key: string;
      position: number | null;
    }[] = [];
    if (this.storeTables !== null) {
      for (const position of await this.storeTables.trackingPositions()) {
        if (position.applicationName !== this.appName) continue;
        rows.push({
          name: this.storeTables.readerName(position.table),
          kind: 'tracking',
          where: position.table,
          key: `${this.storeTables.location}|${position.table}`,
          position: position.notificationId,
        });
      }
    }
    for (const reader of options.readers ?? []) {
      const found = await this.readerPosition(reader);
      const existing = rows.findIndex((row) => row.key === found.key);
      const row = { name: reader.name, kind: reader.kind, ...found };
      if (existing >= 0) rows[existing] = row;
      else rows.push(row);
    }
    const lags: TrackingLag[] = [];
    for (const row of rows) {
      const eventsBehind = Math.max(0, (head ?? 0) - (row.position ?? 0));
      let oldestUnprocessedAt: Date | null = null;
      let ageSeconds: number | null = 0;
      if (eventsBehind > 0) {
        const start = row.position === null ? null : row.position + 1;
        const [first] = await this.recorder.selectNotifications(start, 1, { stop: head });
        const timestamp = first === undefined ? null : this.decode(first).timestamp;
        // An invalid date is an unknown age, not NaN seconds.
        oldestUnprocessedAt =
          timestamp === null || Number.isNaN(timestamp.getTime()) ? null : timestamp;
        ageSeconds =
          oldestUnprocessedAt === null
            ? null
            : Math.max(0, (now.getTime() - oldestUnprocessedAt.getTime()) / 1000);
      }
      lags.push({
        name: row.name,
        kind: row.kind,
        where: row.where,
        applicationName: this.appName,
        position: row.position,
        head,
        eventsBehind,
        oldestUnprocessedAt,
        ageSeconds,
      });
    }
    return lags;
  }

  /** A stored event (or notification) decoded as far as this process can (see `InspectedEvent`). */
  decode(stored: StoredEvent | Notification): InspectedEvent {
    return this.decoder.decode(stored);
  }

  /** Closes the database connections it opened (not those of an application it was given). */
  async close(): Promise<void> {
    if (this.ownsFactory) await this.factory.close();
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The log's head, or null when it is empty or the events table does not exist. */
  private async headOrNull(): Promise<number | null> {
    try {
      await this.checkEventsTable();
    } catch (error) {
      if (error instanceof InspectionError && this.storeTables !== null) {
        await this.storeTables.check();
        return null;
      }
      throw error;
    }
    return this.recorder.maxNotificationId();
  }

  /** Where a reader given by name records its tracking of this application. */
  private async readerPosition(
    reader: LagReader,
  ): Promise<{ where: string; key: string; position: number | null }> {
    const inspector = StoreInspector.open(reader.name, this.vars);
    try {
      const tables = inspector.storeTables;
      if (tables === null) {
        throw new InspectionError(
          `The ${reader.kind} ${reader.name} is configured with the ${inspector.backend} ` +
            'backend, whose tracking another process cannot read: set ' +
            `${reader.name.toUpperCase()}_PERSISTENCE_MODULE (or PERSISTENCE_MODULE) to sqlite ` +
            'or postgres, as the running projection or follower has it.',
        );
      }
      const positions: TrackingPosition[] = await tables.trackingPositions();
      const found = positions.find(
        (p) => p.table === tables.trackingTable && p.applicationName === this.appName,
      );
      return {
        where:
          found === undefined
            ? `no tracking of ${this.appName} in ${tables.trackingTable} in ${tables.location}`
            : `${tables.trackingTable} in ${tables.location}`,
        key: `${tables.location}|${tables.trackingTable}`,
        position: found?.notificationId ?? null,
      };
    } finally {
      await inspector.close();
    }
  }

  /**
   * @throws InspectionError when the application's events table does not exist, naming the
   * events tables that do.
   */
  private async checkEventsTable(): Promise<void> {
    if (this.eventsTableChecked || this.storeTables === null) return;
    const tables = this.storeTables;
    const found = await tables.eventsTablesFound();
    if (!found.includes(tables.eventsTable)) {
      const others = found.length > 0 ? ` Events tables found there: ${found.join(', ')}.` : '';
      const name =
        this.appName === '' ? 'the unnamed application' : `application '${this.appName}'`;
      throw new InspectionError(
        `No events table '${tables.eventsTable}' for ${name} in ${tables.location}.${others} ` +
          (tables.backend === 'postgres'
            ? 'Give the application’s name (--app Name: its tables are name_events, …) and ' +
              'check POSTGRES_SCHEMA.'
            : `Check that ${this.appName ? `${this.appName.toUpperCase()}_SQLITE_DBNAME or ` : ''}` +
              'SQLITE_DBNAME names the application’s database file.'),
      );
    }
    this.eventsTableChecked = true;
  }
}

/** Read-only table access for the built-in SQLite and PostgreSQL factories, else null. */
function storeTablesOf(factory: InfrastructureFactory): StoreTables | null {
  if (factory instanceof SQLiteFactory) return new SQLiteStoreTables(factory);
  if (factory instanceof PostgresFactory) return new PostgresStoreTables(factory);
  return null;
}
