import { describeValue } from '../utils/describe-value.js';
// Registers the built-in persistence modules, so that `PERSISTENCE_MODULE` resolves synchronously.
import '../register-persistence-modules.js';
import { type InspectOptions, inspect } from 'node:util';
import { ProgrammingError } from '../domain/errors.js';
import type {
  AggregateLike,
  CollectEvents,
  DomainEventLike,
  ProjectorFunction,
} from '../domain/protocols.js';
import type { ErrorHook } from '../persistence/error-reporter.js';
import type { EventStore } from '../persistence/event-store.js';
import { InfrastructureFactory } from '../persistence/infrastructure-factory.js';
import { JSONTranscoder } from '../persistence/json-transcoder.js';
import type { Mapper } from '../persistence/mapper.js';
import type { ApplicationRecorder, InsertEventsOptions } from '../persistence/recorders.js';
import type { Recording } from '../persistence/recording.js';
import type { Transcoder } from '../persistence/transcoder.js';
import { instrumentation, noteRepositoryOwner } from '../telemetry/instrumentation.js';
import { withTraceContext } from '../telemetry/trace-context.js';
import { Environment, type EnvType } from '../utils/environment.js';
import { inspectRedacted } from '../utils/redact.js';
import { strtobool } from '../utils/strtobool.js';
import { applicationName } from './application-name.js';
import { Cache, LRUCache } from './cache.js';
import { LocalNotificationLog } from './notification-log.js';
import type { ProcessingEvent } from './processing-event.js';
import { RecorderOptions } from './recorder-options.js';
import { Repository } from './repository.js';

/** Any class: keys of `snapshottingIntervals` and `snapshottingProjectors`. */
export type AnyClass = abstract new (...args: never[]) => unknown;

/** A class whose static `take(aggregate)` makes a snapshot event of an aggregate. */
export interface SnapshotClass {
  /** Makes a snapshot event of the aggregate's current state. */
  take(aggregate: never): DomainEventLike;
}

/** What `Application.save` takes: aggregates, domain events, null/undefined, `RecorderOptions`. */
export type Saveable = CollectEvents | DomainEventLike | RecorderOptions | null | undefined;

/** Options of the `Application` constructor. */
export interface ApplicationOptions {
  /**
   * The application's name, instead of the class's static `name` or class name: it prefixes
   * the PostgreSQL tables and scopes the environment keys (`DOGSCHOOL_SQLITE_DBNAME`).
   */
  name?: string;
  /** Environment variables; they take precedence over `process.env` and the class's static `env`. */
  env?: EnvType;
  /**
   * The infrastructure factory to use instead of the one `PERSISTENCE_MODULE` selects: a
   * factory, or a function that makes one from the application's environment, which is how a
   * persistence module's typed options are given (`(env) => new PostgresFactory(env, { pool })`).
   */
  factory?: InfrastructureFactory | ((env: Environment) => InfrastructureFactory);
  /**
   * Receives errors of the persistence module's background work, which no call waits for (a
   * lost idle connection, the LISTEN connection failing, a subscription retrying while the
   * database is down): `(error, source) => void`. Without it, the first error of each source
   * is a process warning. Set on the factory (`factory.onError`).
   */
  onError?: ErrorHook;
}

/** Options of `Application.takeSnapshot`. */
export interface TakeSnapshotOptions<A> {
  /** Snapshot the aggregate as it was at this version (default: its latest version). */
  version?: number | null;
  /** The projector used to reconstruct the aggregate (default: `projectAggregate`). */
  projector?: ProjectorFunction<A, never>;
}

const SNAPSHOTTING_DISABLED_MESSAGE =
  "Can't take snapshot without snapshots store. Please set environment variable " +
  "IS_SNAPSHOTTING_ENABLED to a true value (e.g. 'y'), or set 'isSnapshottingEnabled' on " +
  "application class, or set 'snapshottingIntervals' on application class.";

/**
 * An event-sourced application: subclass it, write commands and queries that use
 * `this.repository` and `this.save`, and choose its persistence with environment variables
 * (`PERSISTENCE_MODULE`, …), the static `env`, or the constructor's `env`.
 *
 * Construction is synchronous and does no I/O; storage is connected on first use. Use
 * `await App.create({ env })` to connect eagerly, or with a third-party persistence module.
 *
 * @example
 * ```ts
 * import { Application } from 'eventsourcing/application';
 *
 * class DogSchool extends Application {
 *   async registerDog(name: string): Promise<string> {
 *     const dog = new Dog(name); // an @aggregate class
 *     await this.save(dog);
 *     return dog.id;
 *   }
 *
 *   async getDog(id: string): Promise<{ name: string; tricks: string[] }> {
 *     const dog = await this.repository.get<Dog>(id);
 *     return { name: dog.name, tricks: [...dog.tricks] };
 *   }
 * }
 *
 * await using school = new DogSchool({
 *   env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: 'dogs.db' },
 * });
 * const id = await school.registerDog('Fido');
 * console.log(await school.getDog(id)); // { name: 'Fido', tricks: [] }
 * ```
 */
export class Application implements AsyncDisposable {
  /** Default environment variables of the application class (lowest precedence). */
  static env: EnvType = {};
  /** Whether snapshots are stored (sets `IS_SNAPSHOTTING_ENABLED`). */
  static isSnapshottingEnabled = false;
  /** Take a snapshot automatically when an aggregate of the class reaches a multiple of N. */
  static snapshottingIntervals: ReadonlyMap<AnyClass, number> | null = null;
  /** Projector functions for the automatic snapshots of aggregates of the given classes. */
  static snapshottingProjectors: ReadonlyMap<AnyClass, ProjectorFunction<never, never>> | null =
    null;
  /** The snapshot class used for aggregates that have no static `Snapshot` class. */
  static snapshotClass: SnapshotClass | null = null;
  /** The size of the sections of the notification log. */
  static logSectionSize = 10;

  /**
   * The application's name: the `name` option, else the class's static `name` (with target
   * ES2022 or later, `static override name = 'DogSchool'`), else the class name.
   */
  readonly name: string;
  /** The environment the application was configured with, scoped by its name. */
  readonly env: Environment;
  /** Makes the application's mapper, recorders and stores. */
  readonly factory: InfrastructureFactory;
  /** Converts domain events to stored events and back. */
  readonly mapper: Mapper;
  /** Records the application's events and notifications. */
  readonly recorder: ApplicationRecorder;
  /** The store of the application's domain events. */
  readonly events: EventStore;
  /** The store of snapshots, when snapshotting is enabled. */
  readonly snapshots: EventStore | null;
  /** Gets aggregates by id. */
  readonly repository: Repository;
  /** The application's events in the order they were recorded. */
  readonly notificationLog: LocalNotificationLog;

  private closed = false;

  constructor(options: ApplicationOptions = {}) {
    this.name = applicationName(this.constructor as typeof Application, options.name);
    this.env = this.constructEnv(this.name, options.env);
    this.factory =
      typeof options.factory === 'function'
        ? options.factory(this.env)
        : (options.factory ?? this.constructFactory(this.env));
    if (options.onError !== undefined) this.factory.onError = options.onError;
    this.mapper = this.constructMapper();
    this.recorder = this.constructRecorder();
    this.events = this.constructEventStore();
    this.snapshots = this.constructSnapshotStore();
    this.repository = this.constructRepository();
    noteRepositoryOwner(this.repository, this);
    this.notificationLog = this.constructNotificationLog();
  }

  /**
   * Constructs the application with its persistence module resolved asynchronously (needed for
   * third-party modules named by `PERSISTENCE_MODULE`).
   */
  static async create<T extends Application>(
    this: new (
      options?: ApplicationOptions,
    ) => T,
    options: ApplicationOptions = {},
  ): Promise<T> {
    const probe = Object.create(this.prototype) as Application;
    const name = applicationName(this as unknown as typeof Application, options.name);
    const env = probe.constructEnv.call(probe, name, options.env);
    const factory =
      typeof options.factory === 'function'
        ? options.factory(env)
        : (options.factory ?? (await InfrastructureFactory.constructAsync(env)));
    const app = new this({ ...options, factory });
    try {
      await app.recorder.ready?.();
      await app.snapshots?.recorder.ready?.();
    } catch (error) {
      await app.close();
      throw error;
    }
    return app;
  }

  /** The environment: the class's `env`, then `process.env`, then `env` (highest precedence). */
  protected constructEnv(name: string, env?: EnvType): Environment {
    const cls = this.constructor as typeof Application;
    const vars: Record<string, string | undefined> = { ...cls.env };
    if (cls.isSnapshottingEnabled || cls.snapshottingIntervals) vars.IS_SNAPSHOTTING_ENABLED = 'y';
    Object.assign(vars, process.env, env ?? {});
    return new Environment(name, vars);
  }

  /** The infrastructure factory selected by `PERSISTENCE_MODULE`. */
  protected constructFactory(env: Environment): InfrastructureFactory {
    return InfrastructureFactory.construct(env);
  }

  /**
   * The mapper, with the transcoder made by `constructTranscoder`. With `TRACE_CONTEXT` on, it
   * stores the trace context of the saving span in each event (see docs/telemetry.md).
   */
  protected constructMapper(): Mapper {
    return withTraceContext(this.factory.mapper(this.constructTranscoder()), this.env);
  }

  /** The transcoder, with the application's transcodings registered. */
  protected constructTranscoder(): Transcoder {
    const transcoder = this.factory.transcoder();
    if (transcoder instanceof JSONTranscoder) this.registerTranscodings(transcoder);
    return transcoder;
  }

  /** Override to register transcodings for your own value types. */
  protected registerTranscodings(_transcoder: JSONTranscoder): void {}

  /** The application recorder. */
  protected constructRecorder(): ApplicationRecorder {
    return this.factory.applicationRecorder();
  }

  /** The event store over the application recorder. */
  protected constructEventStore(): EventStore {
    return this.factory.eventStore(this.mapper, this.recorder);
  }

  /** The snapshot store, when snapshotting is enabled. */
  protected constructSnapshotStore(): EventStore | null {
    if (!this.factory.isSnapshottingEnabled()) return null;
    return this.factory.eventStore(this.mapper, this.factory.aggregateRecorder('snapshots'));
  }

  /** The repository, with a cache when `AGGREGATE_CACHE_MAXSIZE` is set. */
  protected constructRepository(): Repository {
    const maxsize = this.env.get('AGGREGATE_CACHE_MAXSIZE');
    let cache: Cache<string, unknown> | null = null;
    if (maxsize !== undefined && maxsize.trim() !== '') {
      const size = Number(maxsize);
      if (!Number.isInteger(size)) {
        throw new RangeError(
          `AGGREGATE_CACHE_MAXSIZE must be an integer (or empty for no cache), got ${JSON.stringify(maxsize)}`,
        );
      }
      cache = size > 0 ? new LRUCache(size) : new Cache();
    }
    return new Repository(this.events, {
      snapshotStore: this.snapshots,
      cache,
      fastforward: this.envFlag('AGGREGATE_CACHE_FASTFORWARD', true),
      fastforwardSkipping: this.envFlag('AGGREGATE_CACHE_FASTFORWARD_SKIPPING', false),
      deepcopyFromCache: this.envFlag('DEEPCOPY_FROM_AGGREGATE_CACHE', true),
    });
  }

  /** The notification log, with sections of the class's `logSectionSize`. */
  protected constructNotificationLog(): LocalNotificationLog {
    return new LocalNotificationLog(
      this.recorder,
      (this.constructor as typeof Application).logSectionSize,
    );
  }

  /**
   * Saves the new events of the given aggregates, and the given events, in one atomic insert, and
   * returns their recordings (each event with its notification). Snapshots are then taken
   * automatically for aggregates whose classes have `snapshottingIntervals`. A conflicting
   * version rejects with `IntegrityError` and nothing is stored.
   *
   * When the insert fails (a conflict, a lock timeout, a lost connection), each aggregate gets its
   * pending events back (ahead of any it triggered meanwhile), so `save(aggregate)` can simply be
   * retried; after an `IntegrityError`, reload the aggregate instead. This needs the aggregate's
   * `pendingEvents` array, which every `Aggregate` has.
   */
  async save(...items: Saveable[]): Promise<Recording[]> {
    const events: DomainEventLike[] = [];
    const aggregates = new Map<string, AggregateLike & CollectEvents>();
    // What each aggregate handed over, given back to it if the events are not stored.
    const collected: Array<AggregateLike & CollectEvents> = [];
    const collectedEvents: DomainEventLike[][] = [];
    let options: InsertEventsOptions | undefined;
    for (const item of items) {
      if (item === null || item === undefined) continue;
      if (item instanceof RecorderOptions) {
        options = { ...options, ...item.options };
      } else if (typeof (item as CollectEvents).collectEvents === 'function') {
        const aggregate = item as AggregateLike & CollectEvents;
        const pending = aggregate.collectEvents();
        for (const event of pending) events.push(event);
        collected.push(aggregate);
        collectedEvents.push(pending);
        aggregates.set(aggregate.id, aggregate);
      } else if (typeof (item as DomainEventLike).originatorId === 'string') {
        events.push(item as DomainEventLike);
      } else {
        throw new TypeError(
          `Cannot save ${describeValue(item)}: expected aggregates (with collectEvents()), domain ` +
            `events (with originatorId and originatorVersion), null, or RecorderOptions.`,
        );
      }
    }
    if (events.length === 0 && options === undefined) return [];
    const telemetry = instrumentation.current;
    if (telemetry?.enabled) {
      return telemetry.traceSave(this, 'save', events, () =>
        this.putCollected(events, options, aggregates, collected, collectedEvents),
      );
    }
    return this.putCollected(events, options, aggregates, collected, collectedEvents);
  }

  /** Stores what `save` collected; gives the aggregates their events back if that fails. */
  private async putCollected(
    events: DomainEventLike[],
    options: InsertEventsOptions | undefined,
    aggregates: ReadonlyMap<string, AggregateLike & CollectEvents>,
    collected: ReadonlyArray<AggregateLike & CollectEvents>,
    collectedEvents: DomainEventLike[][],
  ): Promise<Recording[]> {
    let recordings: Recording[];
    try {
      recordings = await this.events.put(events, options);
    } catch (error) {
      restorePendingEvents(collected, collectedEvents);
      throw error;
    }
    return this.afterPut(events, aggregates, recordings);
  }

  /**
   * Records the events and the tracking of a processing event in one transaction (Python's
   * `_record`); `save()` is `record()` without tracking. Then, as `save` does, puts the
   * aggregates in the cache (without fast-forwarding), takes the automatic snapshots, and calls
   * `notify`. Runners of event-sourced projections call it; a tracking already recorded is an
   * `IntegrityError`, and then nothing is recorded. The application's recorder must record
   * tracking (a process recorder) when the processing event has one.
   */
  async record(processingEvent: ProcessingEvent): Promise<Recording[]> {
    const { events, tracking } = processingEvent;
    if (events.length === 0 && tracking === null) return [];
    const telemetry = instrumentation.current;
    if (telemetry?.enabled && events.length > 0) {
      return telemetry.traceSave(this, 'record', events, () => this.putProcessed(processingEvent));
    }
    return this.putProcessed(processingEvent);
  }

  /** Stores what `record` was given. */
  private async putProcessed(processingEvent: ProcessingEvent): Promise<Recording[]> {
    const { events, tracking, aggregates } = processingEvent;
    const recordings = await this.events.put(events, tracking === null ? undefined : { tracking });
    return this.afterPut(events, aggregates, recordings);
  }

  /**
   * What follows stored events, for `save` and `record`: the aggregates go in the cache (unless
   * it fast-forwards), the automatic snapshots are taken, and `notify` is called.
   */
  private afterPut(
    events: readonly DomainEventLike[],
    aggregates: ReadonlyMap<string, AggregateLike & CollectEvents>,
    recordings: Recording[],
  ): Recording[] | Promise<Recording[]> {
    const cache = this.repository.cache;
    if (cache !== null && !this.repository.fastforward) {
      for (const [id, aggregate] of aggregates) cache.put(id, aggregate);
    }
    // Checked here, so that a save without automatic snapshots makes no extra async call.
    if (this.snapshots !== null && (this.constructor as typeof Application).snapshottingIntervals) {
      return this.takeSnapshots(events, aggregates).then(() => {
        this.notify(recordings);
        return recordings;
      });
    }
    this.notify(recordings);
    return recordings;
  }

  /**
   * Called after each successful save with its recordings. Override it to react to new events
   * (process applications and runners use it); the default does nothing.
   */
  protected notify(_recordings: Recording[]): void {}

  /**
   * Stores a snapshot of the aggregate (at its latest version, or the version given). Needs
   * snapshotting to be enabled.
   */
  async takeSnapshot<A = AggregateLike>(
    aggregateId: string,
    options: TakeSnapshotOptions<A> = {},
  ): Promise<void> {
    if (this.snapshots === null) throw new ProgrammingError(SNAPSHOTTING_DISABLED_MESSAGE);
    const aggregate = await this.repository.get<A>(aggregateId, {
      version: options.version ?? null,
      projector: options.projector,
      deepcopyFromCache: false,
    });
    await this.storeSnapshot(aggregate);
  }

  private async storeSnapshot(aggregate: unknown): Promise<void> {
    const snapshots = this.snapshots;
    if (snapshots === null) throw new ProgrammingError(SNAPSHOTTING_DISABLED_MESSAGE);
    const cls = (this.constructor as typeof Application).snapshotClass;
    const own = (aggregate as { constructor?: { Snapshot?: SnapshotClass } }).constructor?.Snapshot;
    const snapshotClass = own ?? cls;
    if (snapshotClass === null || snapshotClass === undefined) {
      throw new ProgrammingError(
        `Cannot take a snapshot of ${describeValue(aggregate)}: its class has no static Snapshot ` +
          `class and the application has no snapshotClass. Extend Aggregate, or set one of them.`,
      );
    }
    await snapshots.put([snapshotClass.take(aggregate as never)]);
  }

  private async takeSnapshots(
    events: readonly DomainEventLike[],
    aggregates: ReadonlyMap<string, AggregateLike & CollectEvents>,
  ): Promise<void> {
    const cls = this.constructor as typeof Application;
    const intervals = cls.snapshottingIntervals;
    if (this.snapshots === null || intervals === null || intervals.size === 0) return;
    for (const event of events) {
      const aggregate = aggregates.get(event.originatorId);
      if (aggregate === undefined) continue;
      const aggregateClass = aggregate.constructor as AnyClass;
      const interval = intervals.get(aggregateClass);
      if (interval === undefined || event.originatorVersion % interval !== 0) continue;
      const projector = cls.snapshottingProjectors?.get(aggregateClass);
      if (projector === undefined && aggregate.version === event.originatorVersion) {
        // The aggregate in hand is at that version: snapshot it without reading it back.
        await this.storeSnapshot(aggregate);
      } else {
        await this.takeSnapshot(event.originatorId, {
          version: event.originatorVersion,
          projector: projector as ProjectorFunction<unknown, never> | undefined,
        });
      }
    }
  }

  /** Closes the application's recorders and connections. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.factory.close();
  }

  /** Closes the application at the end of an `await using` block, as `close()` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * How `util.inspect` and `console.log` show it: secrets hidden (the environment's keys ending
   * in KEY, PASSWORD, SECRET or TOKEN, URL passwords, the database password, and properties of
   * a subclass named like secrets).
   */
  [inspect.custom](depth: number, options: InspectOptions): string {
    return inspectRedacted(this, depth, options);
  }

  private envFlag(key: string, defaultValue: boolean): boolean {
    const value = this.env.get(key);
    return value === undefined || value.trim() === '' ? defaultValue : strtobool(value);
  }
}

/**
 * Gives aggregates back the events `collectEvents()` took from them, before any they triggered
 * while the save was in flight. Aggregates without a `pendingEvents` array cannot take them back.
 */
function restorePendingEvents(
  aggregates: ReadonlyArray<AggregateLike & CollectEvents>,
  events: readonly DomainEventLike[][],
): void {
  for (let i = 0; i < aggregates.length; i++) {
    const aggregate = aggregates[i] as { pendingEvents?: unknown };
    const taken = events[i]!;
    if (taken.length > 0 && Array.isArray(aggregate.pendingEvents)) {
      aggregate.pendingEvents = taken.concat(aggregate.pendingEvents);
    }
  }
}
