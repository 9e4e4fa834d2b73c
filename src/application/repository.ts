import type { AggregateLike, DomainEventLike, ProjectorFunction } from '../domain/protocols.js';
import type { EventStore } from '../persistence/event-store.js';
import { type GetNote, instrumentation } from '../telemetry/instrumentation.js';
import { deepCopy } from '../utils/deep-copy.js';
import type { Cache } from './cache.js';
import { AggregateNotFoundError } from './errors.js';
import { projectAggregate } from './project-aggregate.js';

/** Options of `Repository.get`. */
export interface RepositoryGetOptions<A> {
  /** Reconstruct the aggregate as it was at this version (the cache is not used). */
  version?: number | null;
  /** Folds events into the aggregate (default: `projectAggregate`, which calls `event.mutate`). */
  projector?: ProjectorFunction<A, never>;
  /** With a cache: do not wait for another call that is fast-forwarding the same aggregate. */
  fastforwardSkipping?: boolean;
  /** With a cache: return a deep copy of the cached aggregate (default true). */
  deepcopyFromCache?: boolean;
}

/** Options of the `Repository` constructor. */
export interface RepositoryOptions {
  /** Where snapshots are stored; `get` starts from the latest one at or before the version. */
  snapshotStore?: EventStore | null;
  /** An aggregate cache (see `AGGREGATE_CACHE_MAXSIZE`). */
  cache?: Cache<string, unknown> | null;
  /** Bring cached aggregates up to date with newly stored events (default true). */
  fastforward?: boolean;
  /** Let concurrent gets return the cached aggregate without waiting to fast-forward it. */
  fastforwardSkipping?: boolean;
  /** Hand out deep copies of cached aggregates, so callers cannot corrupt the cache (default true). */
  deepcopyFromCache?: boolean;
}

/** Reconstructs aggregates from their stored events (and snapshots), optionally with a cache. */
export class Repository {
  /** The store of the application's events. */
  readonly eventStore: EventStore;
  /** The store of snapshots, if snapshotting is enabled. */
  readonly snapshotStore: EventStore | null;
  /** The aggregate cache, if any. */
  readonly cache: Cache<string, unknown> | null;
  /** Whether cached aggregates are brought up to date with newly stored events. */
  readonly fastforward: boolean;
  /** Whether concurrent gets return the cached aggregate without waiting to fast-forward it. */
  readonly fastforwardSkipping: boolean;
  /** Whether `get` hands out deep copies of cached aggregates. */
  readonly deepcopyFromCache: boolean;
  // One promise chain per aggregate being fast-forwarded, so that two concurrent gets never apply
  // the same new events to the shared cached object twice.
  private readonly fastforwarding = new Map<string, Promise<void>>();

  constructor(eventStore: EventStore, options: RepositoryOptions = {}) {
    this.eventStore = eventStore;
    this.snapshotStore = options.snapshotStore ?? null;
    this.cache = options.cache ?? null;
    this.fastforward = options.fastforward ?? true;
    this.fastforwardSkipping = options.fastforwardSkipping ?? false;
    this.deepcopyFromCache = options.deepcopyFromCache ?? true;
  }

  /**
   * The aggregate with the given id, reconstructed from its events: its latest version, or the
   * version asked for. Rejects with `AggregateNotFoundError` when there is nothing to reconstruct.
   */
  get<A = AggregateLike>(aggregateId: string, options: RepositoryGetOptions<A> = {}): Promise<A> {
    const telemetry = instrumentation.current;
    if (telemetry?.enabled) {
      return telemetry.traceGet(this, aggregateId, options?.version ?? null, (note) =>
        this.getNow(aggregateId, options, note),
      );
    }
    return this.getNow(aggregateId, options, null);
  }

  /** `get`, telling `note` (when instrumented) how the aggregate was reconstructed. */
  private async getNow<A>(
    aggregateId: string,
    options: RepositoryGetOptions<A>,
    note: GetNote | null,
  ): Promise<A> {
    const projector = (options.projector ?? projectAggregate) as ProjectorFunction<
      A,
      DomainEventLike
    >;
    const version = options.version ?? null;
    if (this.cache === null || version !== null) {
      return this.reconstruct(aggregateId, version, projector, note);
    }
    let aggregate = this.cache.get(aggregateId) as A | undefined;
    if (aggregate === undefined) {
      aggregate = await this.reconstruct(aggregateId, null, projector, note);
      this.cache.put(aggregateId, aggregate);
    } else {
      if (note !== null) note.fromCache = true;
      if (this.fastforward) {
        aggregate = await this.fastForward(aggregateId, aggregate, projector, options, note);
      }
    }
    const copy = options.deepcopyFromCache ?? this.deepcopyFromCache;
    return copy ? deepCopy(aggregate) : aggregate;
  }

  /** Whether an aggregate with this id exists. */
  async contains(aggregateId: string): Promise<boolean> {
    try {
      await this.get(aggregateId);
      return true;
    } catch (error) {
      if (error instanceof AggregateNotFoundError) return false;
      throw error;
    }
  }

  private async reconstruct<A>(
    aggregateId: string,
    version: number | null,
    projector: ProjectorFunction<A, DomainEventLike>,
    note: GetNote | null,
  ): Promise<A> {
    let aggregate: A | null = null;
    if (this.snapshotStore !== null) {
      const { snapshot, events } = await this.eventStore.getSnapshotAndEvents(
        aggregateId,
        this.snapshotStore,
        version,
      );
      if (snapshot !== null) aggregate = projector(null, [snapshot]);
      aggregate = projector(aggregate, events);
      if (note !== null) {
        note.snapshotVersion = snapshot === null ? null : snapshot.originatorVersion;
        note.events = events.length;
      }
    } else {
      const events = await this.eventStore.get(aggregateId, { lte: version });
      if (note !== null) note.events = events.length;
      aggregate = projector(null, events);
    }
    if (aggregate === null || aggregate === undefined) {
      throw new AggregateNotFoundError(
        `Aggregate '${aggregateId}'${version === null ? '' : ` version ${version}`} not found. ` +
          `Check the id (was the aggregate saved?), or the version asked for.`,
      );
    }
    return aggregate;
  }

  private async fastForward<A>(
    aggregateId: string,
    cached: A,
    projector: ProjectorFunction<A, DomainEventLike>,
    options: RepositoryGetOptions<A>,
    note: GetNote | null,
  ): Promise<A> {
    const running = this.fastforwarding.get(aggregateId);
    if (running !== undefined && (options.fastforwardSkipping ?? this.fastforwardSkipping)) {
      return cached;
    }
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = running === undefined ? mine : running.then(() => mine);
    this.fastforwarding.set(aggregateId, chained);
    try {
      if (running !== undefined) await running;
      // Another call may have replaced or evicted the cached aggregate while this one waited.
      const current = (this.cache?.get(aggregateId) as A | undefined) ?? cached;
      const currentVersion = (current as AggregateLike).version;
      const newEvents = await this.eventStore.get(aggregateId, { gt: currentVersion });
      if (note !== null) note.events = newEvents.length;
      if (newEvents.length === 0) return current;
      let updated: A | null;
      try {
        updated = projector(current, newEvents);
      } catch (error) {
        // The projector may have half-mutated the cached object: forget it.
        this.cache?.delete(aggregateId);
        throw error;
      }
      if (updated === null || updated === undefined) {
        this.cache?.delete(aggregateId);
        throw new AggregateNotFoundError(
          `Aggregate '${aggregateId}' not found (it was projected to nothing).`,
        );
      }
      this.cache?.put(aggregateId, updated);
      return updated;
    } finally {
      release();
      if (this.fastforwarding.get(aggregateId) === chained) this.fastforwarding.delete(aggregateId);
    }
  }
}
