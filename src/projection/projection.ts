import type { DomainEventLike } from '../domain/protocols.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import type { TrackedEvent } from './application-subscription.js';

/**
 * Projects an application's events into a view (Python's `Projection`): `processEvent` calls
 * the view's commands, each of which records its change and the event's tracking in one
 * transaction, so that the view is updated exactly once per upstream event. A
 * `ProjectionRunner` constructs it with its view and feeds it.
 *
 * The static `name` (the class name unless set) scopes the view's environment keys
 * (`COUNTERS_SQLITE_DBNAME`), so that a view can live in another database than the
 * application's. The static `topics` (empty: every event) filters the events given to
 * `processEvent`; the tracking of events filtered out is still recorded, by the end of the
 * batch that read them. Define `processBatch` to handle a whole batch at once.
 *
 * @example
 * ```ts no-run
 * class Counters extends Projection<CountersView> {
 *   static override topics = [getTopic(Dog.Registered)];
 *   async processEvent(event: DomainEventLike, tracking: Tracking): Promise<void> {
 *     if (event instanceof Dog.Registered) await this.view.increment('dogs', tracking);
 *   }
 * }
 * ```
 */
export abstract class Projection<TView extends TrackingRecorder = TrackingRecorder> {
  /** The topics of the events to process; empty (the default) processes every event. */
  static topics: readonly string[] = [];

  /** The view the projection writes to: a tracking recorder with the user's own commands. */
  readonly view: TView;

  constructor(view: TView) {
    this.view = view;
  }

  /**
   * Processes one upstream event: calls view commands that record their changes with this
   * `tracking`. An event that changes nothing need not be recorded: the runner records the
   * tracking by the end of the batch. What it throws stops the runner (see `ProjectionRunner`).
   */
  abstract processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void>;

  /**
   * Optional: processes a batch of events at once, instead of `processEvent` for each (the
   * runner calls it once per batch, inside the view's `recordBatch` transaction when the view
   * has one). `tracking` is the batch's position (at least the last item's; more when events
   * after it were filtered out): record it with the view command that writes the batch. When
   * a batch fails, the runner calls it again with one event at a time.
   */
  processBatch?(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void>;
}

/**
 * A concrete `Projection` class: what `ProjectionRunner` takes as `projectionClass`. Its
 * constructor takes the view (`V`, the runner's `viewClass`, or a supertype of it).
 */
export interface ProjectionClass<
  P extends Projection<TrackingRecorder>,
  V extends TrackingRecorder,
> {
  new (view: V): P;
  /** The projection's name: the scope of its view's environment keys. */
  readonly name: string;
  /** The topics of the events to process (empty: all). */
  readonly topics: readonly string[];
}
