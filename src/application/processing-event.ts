import type { AggregateLike, CollectEvents, DomainEventLike } from '../domain/protocols.js';
import type { Tracking } from '../persistence/stored-event.js';
import { describeValue } from '../utils/describe-value.js';

/**
 * What a processor makes of one upstream event (Python's `ProcessingEvent`): the new events of
 * the aggregates it changed, and the tracking of the upstream event, recorded together in one
 * transaction by `Application.record`. A policy (`EventSourcedProjection.policy`) is given one
 * and calls `collectEvents` with what it changed.
 *
 * @example
 * ```ts no-run
 * const processingEvent = new ProcessingEvent({ applicationName: 'DogSchool', notificationId: 7 });
 * const counter = new Counter('Dog.Registered');
 * counter.increment();
 * processingEvent.collectEvents(counter);
 * await projection.record(processingEvent); // the counter's events and the tracking, atomically
 * ```
 */
export class ProcessingEvent {
  /** The upstream position this processing records (null: events only, as `save` does). */
  readonly tracking: Tracking | null;
  /** The events collected so far, in the order they were collected. */
  readonly events: DomainEventLike[] = [];
  /** The aggregates whose events were collected, by id (for the cache and snapshots). */
  readonly aggregates = new Map<string, AggregateLike & CollectEvents>();

  constructor(tracking: Tracking | null = null) {
    this.tracking = tracking;
  }

  /**
   * Collects the new events of aggregates (their `collectEvents()` is called, which empties
   * their pending events) and domain events given as they are. `null` and `undefined` are
   * skipped; anything else is a `TypeError`.
   */
  collectEvents(...items: ReadonlyArray<CollectEvents | DomainEventLike | null | undefined>): void {
    for (const item of items) {
      if (item === null || item === undefined) continue;
      if (typeof (item as CollectEvents).collectEvents === 'function') {
        const aggregate = item as AggregateLike & CollectEvents;
        for (const event of aggregate.collectEvents()) this.events.push(event);
        this.aggregates.set(aggregate.id, aggregate);
      } else if (typeof (item as DomainEventLike).originatorId === 'string') {
        this.events.push(item as DomainEventLike);
      } else {
        throw new TypeError(
          `Cannot collect events of ${describeValue(item)}: expected aggregates (with ` +
            'collectEvents()) or domain events (with originatorId and originatorVersion).',
        );
      }
    }
  }
}
