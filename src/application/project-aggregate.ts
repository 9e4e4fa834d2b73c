import { ProgrammingError } from '../domain/errors.js';
import type { CanMutate } from '../domain/protocols.js';

/**
 * The default projector: folds events into an aggregate by calling each event's `mutate`. Pass
 * your own projector function to `repository.get` for aggregates whose events cannot mutate.
 */
export function projectAggregate<A>(aggregate: A | null, events: Iterable<unknown>): A | null {
  let current = aggregate;
  for (const event of events) {
    if (typeof (event as CanMutate<A>)?.mutate !== 'function') {
      throw new ProgrammingError(
        `Cannot project ${describeEvent(event)}: it has no mutate() method. Pass a projector function ` +
          `to repository.get(id, { projector }) for events that cannot apply themselves.`,
      );
    }
    current = (event as CanMutate<A>).mutate(current);
  }
  return current;
}

function describeEvent(event: unknown): string {
  if (typeof event === 'object' && event !== null)
    return `an event of class ${event.constructor?.name}`;
  return String(event);
}
