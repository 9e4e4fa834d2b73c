/**
 * Aggregate 4's own base classes, written without the library's `Aggregate` or `DomainEvent`.
 * The application layer needs only the protocols: events with `originatorId` and
 * `originatorVersion`, aggregates with `id`, `version` and `collectEvents()`, and a projector
 * function that folds events (and snapshots) into an aggregate.
 */
import { randomUUID } from 'node:crypto';
import type {
  AggregateLike,
  CollectEvents,
  DomainEventLike,
  ProjectorFunction,
} from 'eventsourcing/domain';

/** The data fields of an event class (its properties that are not methods). */
type Fields<E> = { [K in keyof E as E[K] extends (...args: never[]) => unknown ? never : K]: E[K] };

/** Our own base class of events: frozen records, each with its own static `topic`. */
export abstract class DomainEvent implements DomainEventLike {
  // `declare`, not class fields: stored events are decoded without calling a constructor.
  declare readonly originatorId: string;
  declare readonly originatorVersion: number;
  declare readonly timestamp: Date;
}

/** The fields of an event that its aggregate does not supply. */
type OwnFields<E> = Omit<Fields<E>, keyof DomainEvent>;

/** Makes a frozen event of a class, timestamped now. */
function createEvent<E extends DomainEvent>(
  cls: new () => E,
  originatorId: string,
  originatorVersion: number,
  fields: OwnFields<E>,
): E {
  const timestamp = new Date();
  return Object.freeze(
    Object.assign(new cls(), fields, { originatorId, originatorVersion, timestamp }),
  );
}

/** Our own snapshot: an event holding an aggregate's fields at one version. */
export class Snapshot extends DomainEvent {
  static readonly topic = 'aggregate4:Snapshot';
  declare readonly state: Record<string, unknown>;

  /** Takes a snapshot of an aggregate (`Application.takeSnapshot` calls this). */
  static take(aggregate: Aggregate): Snapshot {
    const { pendingEvents: _, ...state } = aggregate as unknown as Record<string, unknown>;
    return createEvent(Snapshot, aggregate.id, aggregate.version, { state });
  }
}

/** Our own mutable aggregate base: state changes only by applying events. */
export abstract class Aggregate implements AggregateLike, CollectEvents {
  id: string = randomUUID();
  version = 0;
  createdOn = new Date(0);
  modifiedOn = new Date(0);
  private pendingEvents: DomainEvent[] = [];

  /** Makes an event of this aggregate's next version, applies it, and keeps it to be saved. */
  protected triggerEvent<E extends DomainEvent>(
    eventClass: new () => E,
    fields: OwnFields<E>,
  ): void {
    const event = createEvent(eventClass, this.id, this.version + 1, fields);
    this.mutate(event);
    this.pendingEvents.push(event);
  }

  /** Applies an event: a snapshot's fields, or the subclass's `apply`; then id and version. */
  mutate(event: DomainEvent): void {
    if (event instanceof Snapshot) {
      Object.assign(this, event.state);
    } else {
      this.apply(event);
      if (this.version === 0) this.createdOn = event.timestamp;
      this.modifiedOn = event.timestamp;
    }
    this.id = event.originatorId;
    this.version = event.originatorVersion;
  }

  /** Changes the aggregate's state as the event says. */
  protected abstract apply(event: DomainEvent): void;

  /** Removes and returns the events to be saved (the application calls this). */
  collectEvents(): DomainEvent[] {
    return this.pendingEvents.splice(0);
  }
}

/** A projector for aggregates of a class: give it to `repository.get(id, { projector })`. */
export function projectorFor<A extends Aggregate>(
  cls: new () => A,
): ProjectorFunction<A, DomainEvent> {
  return (aggregate, events) => {
    // No events and no aggregate is no aggregate: the repository then says it was not found.
    let current = aggregate;
    for (const event of events) {
      current ??= new cls();
      current.mutate(event);
    }
    return current;
  };
}
