/**
 * What the projections benchmark runs: the upstream application (the W1 dog school), the
 * counting projection over a {@link CountingView}, and an event-sourced projection whose policy
 * makes one event of its own (a new `Tally` aggregate) per upstream event. Classes are named
 * after the run's store, so PostgreSQL tables carry its prefix (and are dropped with it).
 */
import { Aggregate, aggregate, type DomainEventLike } from 'eventsourcing/domain';
import type { ApplicationRecorder, Tracking } from 'eventsourcing/persistence';
import { EventSourcedProjection, type ProcessingEvent, Projection } from 'eventsourcing/projection';
import type { CountingView } from './counting-views.js';
import { DogSchool } from './dog-school.js';

/**
 * The upstream application. In memory, the runner's own instance must read the events the
 * benchmark wrote before starting it: `sharedRecorder`, when set, is the recorder of every
 * instance (on SQLite and PostgreSQL the database is shared anyway).
 */
export class UpstreamSchool extends DogSchool {
  /** The recorder every instance uses, when set (memory); null: the factory's. */
  static sharedRecorder: ApplicationRecorder | null = null;

  protected override constructRecorder(): ApplicationRecorder {
    return (this.constructor as typeof UpstreamSchool).sharedRecorder ?? super.constructRecorder();
  }
}

/** Counts every upstream event in its view: one counter row per event class. */
export class CountEvents extends Projection<CountingView> {
  async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    await this.view.increment(domainEvent.constructor.name, tracking);
  }
}

/** The event-sourced projection's aggregate: one per upstream event, made by the policy. */
@aggregate('Counted')
export class Tally extends Aggregate {
  upstreamId: string;
  upstreamVersion: number;

  constructor(upstreamId: string, upstreamVersion: number) {
    super();
    this.upstreamId = upstreamId;
    this.upstreamVersion = upstreamVersion;
  }
}

/** Makes one event of its own per upstream event: a new `Tally`. */
export class TallyEvents extends EventSourcedProjection {
  override policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent): void {
    processingEvent.collectEvents(
      new Tally(domainEvent.originatorId, domainEvent.originatorVersion),
    );
  }
}

const named = new Map<string, unknown>();

/**
 * A subclass of `base` named `name`, made once per base and name, so that every run of a
 * process uses the same class (the code V8 optimised in the warm-up is the code timed).
 */
export function namedClass<C extends abstract new (...args: never[]) => unknown>(
  base: C,
  name: string,
): C {
  const key = `${base.name}:${name}`;
  let cls = named.get(key) as C | undefined;
  if (cls === undefined) {
    cls = class extends (base as unknown as new (...args: never[]) => object) {} as unknown as C;
    Object.defineProperty(cls, 'name', { value: name });
    named.set(key, cls);
  }
  return cls;
}

/** The application classes a run uses, named after its store. */
export interface ProjectionClasses {
  upstream: typeof UpstreamSchool;
  counter: typeof CountEvents;
  tally: typeof TallyEvents;
}

/** The classes of a store whose application is named `appName`. */
export function projectionClasses(appName: string): ProjectionClasses {
  return {
    upstream: namedClass(UpstreamSchool, appName),
    counter: namedClass(CountEvents, `${appName}Counts`),
    tally: namedClass(TallyEvents, `${appName}Tallies`),
  };
}
