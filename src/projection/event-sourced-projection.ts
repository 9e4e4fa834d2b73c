import { Application } from '../application/application.js';
import { ProcessingEvent } from '../application/processing-event.js';
import type { Repository } from '../application/repository.js';
import type { DomainEventLike } from '../domain/protocols.js';
import type { ProcessRecorder } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { instrumentation } from '../telemetry/instrumentation.js';
import type { TrackedEvent } from './application-subscription.js';
import { ChunkRepository } from './chunk-repository.js';

/**
 * An application that projects another application's events into events of its own (Python's
 * `EventSourcedProjection`): its `policy` is given each upstream event and a `ProcessingEvent`,
 * changes aggregates of its own and collects their events, and the events are recorded with
 * the upstream event's tracking in one transaction (its recorder is a process recorder).
 * Run it with `EventSourcedProjectionRunner`, which records many upstream events per
 * transaction (`processBatch`).
 *
 * The static `topics` (empty: every event) filters the upstream events given to `policy`.
 *
 * @example
 * ```ts no-run
 * class Counters extends EventSourcedProjection {
 *   override async policy(event: DomainEventLike, processingEvent: ProcessingEvent) {
 *     const name = event.constructor.name;
 *     let counter: Counter;
 *     try {
 *       counter = await this.repository.get<Counter>(Counter.createId(name));
 *     } catch (error) {
 *       if (!(error instanceof AggregateNotFoundError)) throw error;
 *       counter = new Counter(name);
 *     }
 *     counter.increment();
 *     processingEvent.collectEvents(counter);
 *   }
 * }
 * ```
 */
export class EventSourcedProjection extends Application {
  /** The topics of the upstream events to process; empty (the default) processes every one. */
  static topics: readonly string[] = [];

  /** The process recorder: the projection's events and its tracking of upstream events. */
  declare readonly recorder: ProcessRecorder;

  // The batch being processed by processBatch: what its policies collected so far.
  private chunk: ProcessingEvent | null = null;
  private readonly chunkIds = new Set<string>();
  private chunkLast: Tracking | null = null;

  /** The process recorder (events and tracking in one transaction). */
  protected override constructRecorder(): ProcessRecorder {
    return this.factory.processRecorder();
  }

  /**
   * The repository, which first records the open batch when a policy gets an aggregate the
   * batch changed (so that the policy sees its own changes).
   */
  protected override constructRepository(): Repository {
    return new ChunkRepository(super.constructRepository(), (id) => this.flushFor(id));
  }

  /**
   * Turns an upstream event into events of this application: change aggregates (got from
   * `this.repository`, or new) and give them to `processingEvent.collectEvents`. The default
   * does nothing (the event's tracking is recorded all the same). What it throws stops the
   * runner, with nothing of the event recorded.
   */
  policy(_domainEvent: DomainEventLike, _processingEvent: ProcessingEvent): void | Promise<void> {}

  /**
   * Processes one upstream event: runs `policy`, then records the events it collected and the
   * tracking in one transaction (a tracking already recorded is an `IntegrityError`, and then
   * nothing is recorded).
   */
  async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    const processingEvent = new ProcessingEvent(tracking);
    const telemetry = instrumentation.current;
    if (telemetry?.enabled) {
      await telemetry.tracePolicy(this, domainEvent, tracking, () =>
        this.policy(domainEvent, processingEvent),
      );
    } else await this.policy(domainEvent, processingEvent);
    await this.record(processingEvent);
  }

  /**
   * Processes a batch of upstream events: runs `policy` for each, then records every event
   * they collected with `tracking` (the batch's position) in one transaction. When a policy
   * gets an aggregate that the batch changed earlier, what the batch collected so far is
   * recorded first (with the tracking of the last event processed), so that the policy gets
   * that aggregate at its new version. The runner calls it; it must not overlap itself.
   */
  async processBatch(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void> {
    this.chunk = new ProcessingEvent(tracking);
    this.chunkIds.clear();
    this.chunkLast = null;
    let chunk: ProcessingEvent;
    try {
      for (const [domainEvent, eventTracking] of items) {
        const processingEvent = new ProcessingEvent(eventTracking);
        const telemetry = instrumentation.current;
        if (telemetry?.enabled) {
          await telemetry.tracePolicy(this, domainEvent, eventTracking, () =>
            this.policy(domainEvent, processingEvent),
          );
        } else await this.policy(domainEvent, processingEvent);
        // Read after the policy: a flush during it replaced the open chunk.
        const open = this.chunk;
        for (const event of processingEvent.events) {
          open.events.push(event);
          this.chunkIds.add(event.originatorId);
        }
        for (const [id, aggregate] of processingEvent.aggregates)
          open.aggregates.set(id, aggregate);
        this.chunkLast = eventTracking;
      }
      chunk = this.chunk;
    } finally {
      this.chunk = null;
      this.chunkIds.clear();
      this.chunkLast = null;
    }
    await this.record(chunk);
  }

  /** Records what the open batch has collected, when it has changed the aggregate. */
  private async flushFor(aggregateId: string): Promise<void> {
    const open = this.chunk;
    const last = this.chunkLast;
    if (open === null || last === null || !this.chunkIds.has(aggregateId)) return;
    const flushed = new ProcessingEvent(last);
    for (const event of open.events) flushed.events.push(event);
    for (const [id, aggregate] of open.aggregates) flushed.aggregates.set(id, aggregate);
    this.chunk = new ProcessingEvent(open.tracking);
    this.chunkIds.clear();
    await this.record(flushed);
  }
}
