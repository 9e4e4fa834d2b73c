import type { TrackingRecorder } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { TrackedEvent } from './application-subscription.js';
import type { ChunkProcessor } from './chunk-processor.js';
import type { Projection } from './projection.js';

/**
 * Processes chunks with a projection and its view: in one `recordBatch` transaction when the
 * view has it, else one event per transaction (the view's own commands), then the chunk's
 * tracking if no command recorded it.
 *
 * @internal
 */
export class ViewProcessor implements ChunkProcessor {
  readonly atomic: boolean;
  private readonly projection: Projection<TrackingRecorder>;
  private readonly view: TrackingRecorder;
  private readonly applicationName: string;

  constructor(projection: Projection<TrackingRecorder>, applicationName: string) {
    this.projection = projection;
    this.view = projection.view;
    this.applicationName = applicationName;
    this.atomic = typeof this.view.recordBatch === 'function';
  }

  async processChunk(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void> {
    const view = this.view;
    if (this.atomic) {
      await view.recordBatch!(tracking, () => this.apply(items, tracking));
      return;
    }
    await this.apply(items, tracking);
    const max = await view.maxTrackingId(this.applicationName);
    if (max === null || max < tracking.notificationId) await view.insertTracking(tracking);
  }

  processOne(item: TrackedEvent): Promise<void> {
    return this.processChunk([item], item[1]);
  }

  maxTrackingId(): Promise<number | null> {
    return this.view.maxTrackingId(this.applicationName);
  }

  private async apply(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void> {
    if (items.length === 0) return;
    const projection = this.projection;
    if (typeof projection.processBatch === 'function') {
      await projection.processBatch(items, tracking);
      return;
    }
    for (const [event, eventTracking] of items) {
      await projection.processEvent(event, eventTracking);
    }
  }
}
