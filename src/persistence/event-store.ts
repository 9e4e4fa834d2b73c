import type { DomainEventLike } from '../domain/protocols.js';
import type { Mapper } from './mapper.js';
import type {
  AggregateRecorder,
  InsertEventsOptions,
  SelectEventsOptions,
  SnapshotReader,
} from './recorders.js';
import { Recording } from './recording.js';
import type { StoredEvent } from './stored-event.js';

/** An originator's latest snapshot (or `null`) and its events after it, as domain events. */
export interface SnapshotAndDomainEvents<S, E> {
  /** The latest snapshot at or before the version asked for, or null when there is none. */
  readonly snapshot: S | null;
  /** The events after the snapshot (after the start when there is none), in order. */
  readonly events: E[];
}

/** Stores domain events with a mapper and a recorder, and gets them back. */
export class EventStore {
  /** Converts domain events to stored events and back. */
  readonly mapper: Mapper;
  /** Where the stored events are kept. */
  readonly recorder: AggregateRecorder;

  constructor(mapper: Mapper, recorder: AggregateRecorder) {
    this.mapper = mapper;
    this.recorder = recorder;
  }

  /**
   * Stores the events in one atomic `insertEvents` call (options are passed through to it) and
   * resolves to one recording per event; to `[]` when the recorder assigns no notification ids
   * (an aggregate recorder).
   */
  async put<E extends DomainEventLike>(
    events: readonly E[],
    options?: InsertEventsOptions,
  ): Promise<Recording<E>[]> {
    const n = events.length;
    const storedEvents: StoredEvent[] = new Array(n);
    for (let i = 0; i < n; i++) storedEvents[i] = this.mapper.toStoredEvent(events[i]!);
    const ids = await this.recorder.insertEvents(storedEvents, options);
    if (ids === null || ids === undefined) return [];
    const m = Math.min(n, ids.length);
    const recordings: Recording<E>[] = new Array(m);
    for (let i = 0; i < m; i++) {
      const s = storedEvents[i]!;
      recordings[i] = new Recording(events[i]!, {
        originatorId: s.originatorId,
        originatorVersion: s.originatorVersion,
        topic: s.topic,
        state: s.state,
        id: ids[i]!,
      });
    }
    return recordings;
  }

  /** The domain events of one originator, in version order (newest first with `desc`). */
  async get<E extends DomainEventLike = DomainEventLike>(
    originatorId: string,
    options?: SelectEventsOptions,
  ): Promise<E[]> {
    return this.toDomainEvents<E>(await this.recorder.selectEvents(originatorId, options));
  }

  /**
   * The latest snapshot in `snapshots` at or before version `lte` (any version when null), and
   * this store's events of the originator after it, up to `lte`: what a repository needs to
   * reconstruct an aggregate. One read when the recorder can read both together (a
   * `SnapshotReader`, as PostgreSQL's is), else two.
   */
  async getSnapshotAndEvents<S extends DomainEventLike, E extends DomainEventLike>(
    originatorId: string,
    snapshots: EventStore,
    lte?: number | null,
  ): Promise<SnapshotAndDomainEvents<S, E>> {
    const reader = this.recorder as AggregateRecorder & Partial<SnapshotReader>;
    if (typeof reader.selectSnapshotAndEvents === 'function') {
      const both = await reader.selectSnapshotAndEvents(originatorId, snapshots.recorder, lte);
      if (both !== null) {
        return {
          snapshot:
            both.snapshot === null ? null : snapshots.mapper.toDomainEvent<S>(both.snapshot),
          events: this.toDomainEvents<E>(both.events),
        };
      }
    }
    const found = await snapshots.get<S>(originatorId, { desc: true, limit: 1, lte });
    const snapshot = found[0] ?? null;
    const gt = snapshot === null ? null : snapshot.originatorVersion;
    return { snapshot, events: await this.get<E>(originatorId, { gt, lte }) };
  }

  /** The domain events these stored events were made from, in the same order. */
  toDomainEvents<E extends DomainEventLike = DomainEventLike>(stored: readonly StoredEvent[]): E[] {
    const n = stored.length;
    const events: E[] = new Array(n);
    for (let i = 0; i < n; i++) events[i] = this.mapper.toDomainEvent<E>(stored[i]!);
    return events;
  }
}
