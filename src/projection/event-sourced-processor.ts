import type { Tracking } from '../persistence/stored-event.js';
import type { TrackedEvent } from './application-subscription.js';
import type { ChunkProcessor } from './chunk-processor.js';
import type { EventSourcedProjection } from './event-sourced-projection.js';

/**
 * Processes chunks with an event-sourced projection: each chunk's events and its tracking in
 * one `insertEvents` of the projection's process recorder.
 *
 * @internal
 */
export class EventSourcedProcessor implements ChunkProcessor {
  readonly atomic = true;
  private readonly projection: EventSourcedProjection;
  private readonly applicationName: string;

  constructor(projection: EventSourcedProjection, applicationName: string) {
    this.projection = projection;
    this.applicationName = applicationName;
  }

  processChunk(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void> {
    return this.projection.processBatch(items, tracking);
  }

  processOne(item: TrackedEvent): Promise<void> {
    return this.projection.processEvent(item[0], item[1]);
  }

  maxTrackingId(): Promise<number | null> {
    return this.projection.recorder.maxTrackingId(this.applicationName);
  }
}
