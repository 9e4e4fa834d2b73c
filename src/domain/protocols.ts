/**
 * The shapes the persistence and application layers rely on. Anything with these shapes can be
 * stored and reconstructed, whether or not it derives from the library's base classes.
 */

/** A domain event: it belongs to one originator (aggregate) at one version. */
export interface DomainEventLike {
  /** The id of the aggregate (or other originator) the event belongs to. */
  readonly originatorId: string;
  /** The originator's version that the event made. */
  readonly originatorVersion: number;
}

/** An event that can apply itself to an aggregate (or create one from `null`). */
export interface CanMutate<A> extends DomainEventLike {
  /** Applies the event: returns the aggregate it makes (a new one, or `null` for none). */
  mutate(aggregate: A | null): A | null;
}

/** An aggregate as the repository sees it: an id and a version. */
export interface AggregateLike {
  /** The aggregate's id. */
  readonly id: string;
  /** The version of its last event (the number of events, from 1). */
  readonly version: number;
}

/** An aggregate that holds new events until they are saved. */
export interface CollectEvents {
  /** Returns the new events, oldest first, and forgets them (they are being saved). */
  collectEvents(): DomainEventLike[];
}

/** Folds events into an aggregate; `null` means "no aggregate yet" (or "no aggregate any more"). */
export type ProjectorFunction<A, E = DomainEventLike> = (
  aggregate: A | null,
  events: Iterable<E>,
) => A | null;

/** Applies one event to an aggregate (or to `null`). */
export type MutatorFunction<A, E = DomainEventLike> = (event: E, aggregate: A | null) => A | null;
