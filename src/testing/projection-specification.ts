import { AssertionError } from 'node:assert';
import type { CollectEvents, DomainEventLike } from '../domain/protocols.js';
import { getTopic } from '../domain/topics.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import type { Tracking } from '../persistence/stored-event.js';
import { Deliverer, type Delivery, defaultState, type Failure } from './projection-delivery.js';

/** What a projection specification calls: a `Projection`'s processing methods. */
export interface SpecifiedProjection {
  /** Processes one upstream event (see `Projection.processEvent`). */
  processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void>;
  /** Processes a batch of upstream events at once, when the projection opts in. */
  processBatch?(
    items: ReadonlyArray<readonly [DomainEventLike, Tracking]>,
    tracking: Tracking,
  ): Promise<void>;
}

/** A projection class (a `Projection` subclass): made with a view; `topics` filters events. */
export type SpecifiedProjectionClass<TView> = (new (
  view: TView,
) => SpecifiedProjection) & {
  /** The topics the projection processes (all when empty or absent), as `Projection.topics`. */
  readonly topics?: readonly string[];
};

/** A domain event, or an aggregate whose new events are collected (`collectEvents()`). */
export type SpecifiedEvent = DomainEventLike | CollectEvents;

/** Options of `projectionSpecification`. */
export interface ProjectionSpecificationOptions<TView> {
  /** The upstream application's name in the trackings the events come with (default `'upstream'`). */
  applicationName?: string;
  /**
   * The view's state, compared before and after an event is delivered a second time: it must
   * not change. Default: every field of the view, deeply (as `util.inspect` shows it), which
   * suits in-memory views; a view whose data is elsewhere (SQLite `:memory:`) returns its rows.
   */
  state?: (view: TView) => unknown;
}

/** What `thenThrows` expects: an error class, or a predicate of the error. */
export type ExpectedError =
  | (abstract new (
      ...args: never[]
    ) => Error)
  | ((error: unknown) => boolean);

/**
 * A test of a projection without a database or an application (Emmett's projection specs):
 * `given` events the view has already processed, `when` these events arrive, `then` the view is
 * as asserted, or `thenThrows` an error. Make one with `projectionSpecification`.
 *
 * The events are delivered as an upstream application's notifications (tracking ids 1, 2, … in
 * the order given, `given` events first), as a runner delivers them: events whose topic is not
 * in the projection's `topics` are not delivered, only their tracking is recorded, as is the
 * tracking of an event the projection ignored; a projection with `processBatch` gets the `given`
 * events as one batch and the `when` events as another. Each `when` event (or batch) is then
 * delivered a second time with the same tracking, as after a crash: that must be an
 * `IntegrityError` (or, for an event the projection ignores, nothing) and must change nothing,
 * else the specification fails saying which event was applied twice.
 *
 * A specification is immutable (`given` and `when` return new ones) and runs, on a new view,
 * each time `then` or `thenThrows` is called. It is a `PromiseLike`: awaited, it runs and
 * resolves to the view. The view is closed once the assertion has settled.
 *
 * It tests a `Projection` and its view; an `EventSourcedProjection` is an application, tested
 * with its runner in memory.
 */
export class ProjectionSpecification<TView extends TrackingRecorder> implements PromiseLike<TView> {
  private readonly projectionClass: SpecifiedProjectionClass<TView>;
  private readonly makeView: () => TView | Promise<TView>;
  private readonly options: ProjectionSpecificationOptions<TView>;
  private readonly givenEvents: readonly DomainEventLike[];
  private readonly whenEvents: readonly DomainEventLike[];

  constructor(
    projectionClass: SpecifiedProjectionClass<TView>,
    makeView: () => TView | Promise<TView>,
    options: ProjectionSpecificationOptions<TView> = {},
    givenEvents: readonly DomainEventLike[] = [],
    whenEvents: readonly DomainEventLike[] = [],
  ) {
    this.projectionClass = projectionClass;
    this.makeView = makeView;
    this.options = options;
    this.givenEvents = givenEvents;
    this.whenEvents = whenEvents;
  }

  /**
   * The specification with these events already processed before the `when` events. The new
   * events of aggregates given are collected now (their `collectEvents()` is called).
   */
  given(...events: SpecifiedEvent[]): ProjectionSpecification<TView> {
    return new ProjectionSpecification(
      this.projectionClass,
      this.makeView,
      this.options,
      [...this.givenEvents, ...collect(events)],
      this.whenEvents,
    );
  }

  /** The specification with these events arriving (each delivered twice); as `given` takes them. */
  when(...events: SpecifiedEvent[]): ProjectionSpecification<TView> {
    return new ProjectionSpecification(
      this.projectionClass,
      this.makeView,
      this.options,
      this.givenEvents,
      [...this.whenEvents, ...collect(events)],
    );
  }

  /**
   * Runs the specification on a new view and calls `assertView(view)`, then closes the view.
   * Rejects with the first failure: an event that failed, an event applied twice, or the
   * assertion's error. (Awaiting the specification calls this with no assertion.)
   */
  // biome-ignore lint/suspicious/noThenProperty: a specification is a PromiseLike on purpose.
  then<R1 = TView, R2 = never>(
    assertView?: ((view: TView) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const run = this.withView(async (view) => {
      const failure = await this.play(view);
      if (failure !== null) throw failure.error;
      return assertView ? await assertView(view) : (view as unknown as R1);
    });
    return onRejected ? run.then(undefined, onRejected) : run;
  }

  /**
   * Runs the specification on a new view, expecting a `when` event to fail with an error of
   * this class, or one the predicate accepts: resolves to that error. Rejects with an
   * `AssertionError` when every event was processed, or another error was thrown (its `cause`).
   */
  thenThrows(expected: ExpectedError): Promise<unknown> {
    return this.withView(async (view) => {
      const failure = await this.play(view);
      const wanted = describeExpected(expected);
      if (failure?.kind === 'twice') throw failure.error;
      if (failure === null) {
        throw new AssertionError({
          message: `Expected processing the when events to throw ${wanted}, but all ${this.whenEvents.length} were processed.`,
        });
      }
      if (failure.kind === 'given' || !matches(expected, failure.cause)) {
        const error = new AssertionError({
          message: `Expected ${wanted} from a when event, but ${failure.error.message}`,
        });
        error.cause = failure.cause;
        throw error;
      }
      return failure.cause;
    });
  }

  private async withView<T>(fn: (view: TView) => Promise<T>): Promise<T> {
    const view = await this.makeView();
    try {
      return await fn(view);
    } finally {
      await view.close();
    }
  }

  /** Delivers every event (each `when` one twice); resolves to the first failure, if any. */
  private async play(view: TView): Promise<Failure | null> {
    const projection = new this.projectionClass(view);
    const applicationName = this.options.applicationName ?? 'upstream';
    const topics = this.projectionClass.topics ?? [];
    let id = 0;
    const deliveries = (events: readonly DomainEventLike[], when: boolean): Delivery[] =>
      events.map((event) => {
        const tracking = { applicationName, notificationId: ++id };
        const passes = topics.length === 0 || topics.includes(getTopic(event.constructor));
        return { event, tracking, when, passes };
      });
    const batches = [deliveries(this.givenEvents, false), deliveries(this.whenEvents, true)];
    const deliver = new Deliverer(projection, view, this.options.state ?? defaultState);
    for (const batch of batches) {
      const steps = projection.processBatch === undefined ? batch.map((item) => [item]) : [batch];
      for (const step of steps) {
        if (step.length === 0) continue;
        const failure = await deliver.once(step);
        if (failure !== null) return failure;
        if (step[0]!.when) {
          const twice = await deliver.again(step);
          if (twice !== null) return twice;
        }
      }
    }
    return null;
  }
}

function collect(events: readonly SpecifiedEvent[]): DomainEventLike[] {
  return events.flatMap((item) =>
    typeof (item as Partial<CollectEvents>).collectEvents === 'function'
      ? (item as CollectEvents).collectEvents()
      : [item as DomainEventLike],
  );
}

function matches(expected: ExpectedError, error: unknown): boolean {
  if (expected.prototype instanceof Error || expected === Error) {
    return error instanceof (expected as abstract new () => Error);
  }
  return (expected as (error: unknown) => boolean)(error);
}

function describeExpected(expected: ExpectedError): string {
  const isClass = expected.prototype instanceof Error || expected === Error;
  return isClass ? `a ${expected.name}` : 'an error the predicate accepts';
}

/**
 * A specification of a projection (see `ProjectionSpecification`): the projection class, and a
 * function that makes a new, empty view for each run.
 *
 * @example
 * ```ts no-run
 * const dog = new Dog('Fido');
 * dog.addTrick('roll over');
 * const [registered, trickAdded] = dog.collectEvents();
 * await projectionSpecification(CountTricks, () => new TrickCounts())
 *   .given(registered)
 *   .when(trickAdded)
 *   .then(async (view) => assert.equal(await view.count('roll over'), 1));
 * await projectionSpecification(CountTricks, () => new TrickCounts())
 *   .when(badTrick)
 *   .thenThrows(TypeError);
 * ```
 */
export function projectionSpecification<TView extends TrackingRecorder>(
  projectionClass: SpecifiedProjectionClass<TView>,
  makeView: () => TView | Promise<TView>,
  options?: ProjectionSpecificationOptions<TView>,
): ProjectionSpecification<TView> {
  return new ProjectionSpecification(projectionClass, makeView, options);
}
