/**
 * What the projections benchmark runs: the upstream application (the W1 dog school), the
 * counting projection over a {@link CountingView}, and an event-sourced projection whose policy
 * makes one event of its own (a new `Tally` aggregate) per upstream event. Classes are named
 * after the run's store, so PostgreSQL tables carry its prefix (and are dropped with it).
 */
import { Aggregate, aggregate, type DomainEventLike } from 'eventsourcing/domain';
import type { ApplicationRecorder, Mapper, Tracking } from 'eventsourcing/persistence';
import {
  EventSourcedProjection,
  type ProcessingEvent,
  Projection,
  type TrackedEvent,
} from 'eventsourcing/projection';
import type { CountingView } from './counting-views.js';
import { DogSchool } from './dog-school.js';

/**
 * The upstream application. In memory, the runner's own instance must read the events the
 * benchmark wrote before starting it: `shared`, when set, gives every instance the writer's
 * recorder and mapper, as if the runner's application had written them itself, which is the
 * only way to project in memory (on SQLite and PostgreSQL the database is shared anyway).
 */
export class UpstreamSchool extends DogSchool {
  /** The recorder and mapper every instance uses, when set (memory); null: their own. */
  static shared: { recorder: ApplicationRecorder; mapper: Mapper } | null = null;

  protected override constructRecorder(): ApplicationRecorder {
    return (
      (this.constructor as typeof UpstreamSchool).shared?.recorder ?? super.constructRecorder()
    );
  }

  protected override constructMapper(): Mapper {
    return (this.constructor as typeof UpstreamSchool).shared?.mapper ?? super.constructMapper();
  }
}

/**
 * Counts every upstream event in its view, one counter row per event class: a batch's counts
 * are added in one view command (`processBatch`); `processEvent` is there for completeness.
 */
export class CountEvents extends Projection<CountingView> {
  async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    await this.view.increment(domainEvent.constructor.name, tracking);
  }

  override async processBatch(
    items: ReadonlyArray<TrackedEvent>,
    tracking: Tracking,
  ): Promise<void> {
    const counts = new Map<string, number>();
    for (const [event] of items) {
      const name = event.constructor.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    await this.view.add(counts, tracking);
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
