import { ProgrammingError } from '../domain/errors.js';
import {
  createDecision,
  type Decision,
  type DecisionClass,
  type DecisionFields,
} from './decision.js';
import { type ConsistencyBoundary, type Selector, selectorsOf } from './selector.js';
import { Tagged } from './tagged.js';

/** Options of `Perspective.triggerEvent`. */
export interface TriggerOptions {
  /** Tags of the new decision, besides those the perspective adds (an enduring object's id). */
  tags?: readonly string[];
}

/**
 * The base of decision models (Python's `Perspective`): something that applies the decisions
 * its consistency boundary selects, decides new ones, and remembers the position it has read up
 * to, so that saving its new decisions fails (`IntegrityError`) if a decision it would have
 * selected was appended since. `EnduringObject`, `Group` and `Slice` are perspectives.
 *
 * A subclass states its boundary with a `cb` getter or by overriding `consistencyBoundary()`.
 */
export abstract class Perspective {
  /** The store position this perspective has read up to; null before any read. */
  lastKnownPosition: number | null = null;
  /** Decisions triggered and not yet saved, oldest first. */
  newDecisions: Tagged[] = [];

  /**
   * The selectors of the decisions this perspective depends on (Python's `cb`): override this
   * getter, or `consistencyBoundary()`.
   */
  get cb(): ConsistencyBoundary {
    throw new ProgrammingError(
      `${this.constructor.name} has no consistency boundary: define a 'get cb()' that returns ` +
        'the Selector(s) of the decisions it depends on, or override consistencyBoundary().',
    );
  }

  /** The selectors of the decisions this perspective depends on, as a list (from `cb`). */
  consistencyBoundary(): Selector[] {
    return selectorsOf(this.cb);
  }

  /**
   * Makes a decision of `decisionClass` from `fields`, tags it (see `tagsFor`), applies it to
   * this perspective and keeps it with the new decisions. Returns the tagged decision.
   */
  triggerEvent<D extends Decision>(
    decisionClass: DecisionClass<D>,
    fields: DecisionFields<D>,
    options: TriggerOptions = {},
  ): Tagged<D> {
    const tagged = new Tagged(
      this.tagsFor(options.tags ?? []),
      createDecision(decisionClass, fields),
    );
    this.appendNewDecision(tagged);
    return tagged;
  }

  /** Applies tagged decisions to this perspective and keeps them with the new decisions. */
  appendNewDecision(...tagged: Tagged[]): void {
    for (const t of tagged) {
      if (!(t instanceof Tagged)) {
        throw new TypeError(
          `appendNewDecision takes Tagged decisions (new Tagged(tags, decision)), got ${String(t)}.`,
        );
      }
      this.applyNewDecision(t);
      this.newDecisions.push(t);
    }
  }

  /** Returns the new decisions, oldest first, and forgets them (they are being saved). */
  collectNewDecisions(): Tagged[] {
    const collected = this.newDecisions;
    this.newDecisions = [];
    return collected;
  }

  /** The tags of a decision this perspective triggers: `extra` (subclasses add their ids). */
  protected tagsFor(extra: readonly string[]): string[] {
    return [...extra];
  }

  /** Applies a decision this perspective has just decided (to itself; a group to its members). */
  protected applyNewDecision(tagged: Tagged): void {
    tagged.decision.mutate(this);
  }
}
