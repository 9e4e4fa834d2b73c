import type { Aggregate } from './aggregate.js';
import { DomainEvent } from './domain-event.js';
import { OriginatorIDError, OriginatorVersionError, ProgrammingError } from './errors.js';

/**
 * An event of an aggregate. `mutate(aggregate)` checks that the event belongs to the aggregate
 * and follows its current version, applies it (the `apply` hook), then advances the aggregate's
 * `version` and `modifiedOn`. Because `apply` runs first, an exception in it leaves the
 * aggregate's version and modification time as they were.
 */
export class AggregateEvent extends DomainEvent {
  /** Applies this event to `aggregate` (check, `apply`, then version and `modifiedOn`). */
  mutate<A extends Aggregate>(aggregate: A | null): A | null {
    if (aggregate === null || aggregate === undefined) {
      throw new ProgrammingError(
        `Cannot apply ${this.constructor.name} (version ${this.originatorVersion}) to no ` +
          `aggregate: only a "created" event (AggregateCreated) can start an aggregate. Check ` +
          `that the aggregate's first event is its created event.`,
      );
    }
    if (this.originatorId !== aggregate.id) {
      throw new OriginatorIDError(
        `Event ${this.constructor.name} has originatorId '${this.originatorId}' but the ` +
          `aggregate's id is '${aggregate.id}': it belongs to another aggregate.`,
      );
    }
    const next = aggregate.version + 1;
    if (this.originatorVersion !== next) {
      throw new OriginatorVersionError(
        `Event ${this.constructor.name} has originatorVersion ${this.originatorVersion} but ` +
          `aggregate ${aggregate.id} is at version ${aggregate.version}, so the next event must ` +
          `have version ${next}. Apply events in order, each once.`,
      );
    }
    this.apply(aggregate);
    aggregate.version = this.originatorVersion;
    aggregate.modifiedOn = this.timestamp;
    return aggregate;
  }

  /**
   * Changes the aggregate's state as this event says. Override it in explicit event classes;
   * the default does nothing. (For `@event` methods the method body is the apply logic.)
   */
  apply(_aggregate: Aggregate): void {}
}
