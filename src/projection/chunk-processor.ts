import type { Tracking } from '../persistence/stored-event.js';
import type { TrackedEvent } from './application-subscription.js';

/**
 * How a runner processes what it reads, as the processing loop (`runPages`) sees it: a view
 * and its projection, or an event-sourced projection.
 *
 * @internal
 */
export interface ChunkProcessor {
  /**
   * Processes the events and records `tracking` (at least the last event's position) with
   * them. When `atomic`, in one transaction: all or nothing (memory excepted, where each write
   * stays recorded with its own tracking). An empty `items` records the tracking alone.
   */
  processChunk(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void>;
  /** Processes one event in a transaction of its own, recording its tracking. */
  processOne(item: TrackedEvent): Promise<void>;
  /** Whether `processChunk` is one transaction (else each event commits by itself). */
  readonly atomic: boolean;
  /** The greatest upstream notification id the view has recorded, or null. */
  maxTrackingId(): Promise<number | null>;
}
