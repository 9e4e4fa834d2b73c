/** Helpers shared by the example tests. */
import type { DomainEventLike, ProjectorFunction } from 'eventsourcing/domain';

/**
 * Wraps a projector so that a test can see what the repository gives it: the events of each
 * call, in order (a snapshot, when one is used, comes first).
 */
export function recordingProjector<A>(projector: ProjectorFunction<A, never>): {
  readonly projector: ProjectorFunction<A, never>;
  readonly calls: DomainEventLike[][];
} {
  const calls: DomainEventLike[][] = [];
  return {
    calls,
    projector: (aggregate, events) => {
      const list = [...events];
      calls.push(list as DomainEventLike[]);
      return projector(aggregate, list);
    },
  };
}

/** The versions of events, for compact assertions. */
export function versions(events: readonly DomainEventLike[]): number[] {
  return events.map((e) => e.originatorVersion);
}
