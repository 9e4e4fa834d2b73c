import type { EventFields } from '../domain/domain-event.js';
import { ProgrammingError } from '../domain/errors.js';
import { describeValue } from '../utils/describe-value.js';
import { runApplier } from './internal.js';

/** The data fields of a decision class's decisions: their properties that are not methods. */
export type DecisionFields<D> = EventFields<D>;

/** Something whose instances are decisions of type `D` (a decision class). */
export type DecisionClass<D extends Decision = Decision> = (abstract new () => D) & {
  /** The prototype of its decisions. */
  readonly prototype: D;
};

/**
 * The base class of decisions: the events of dynamic consistency boundaries (Python's
 * `Decision`). A decision belongs to no single originator: it is stored with tags (see
 * `Tagged`), and any perspective whose consistency boundary selects it applies it.
 *
 * Subclasses declare their fields with `declare readonly courseId: string` and never assign them
 * in a constructor: decisions are made (and decoded from storage) with
 * `Object.create(DecisionClass.prototype)` followed by assignment, like domain events. Make one
 * with `CourseDefined.create({ courseId: 'c1', capacity: 10 })`. Decisions are frozen.
 */
export class Decision {
  /**
   * Makes a frozen decision of this class from its fields, without calling a constructor.
   * Fields whose value is `undefined` are left out.
   */
  static create<D extends Decision>(this: DecisionClass<D>, fields: DecisionFields<D>): D {
    return createDecision(this, fields);
  }

  /** The decision's fields, as a plain object (Python's `as_dict()`). */
  asDict(): Record<string, unknown> {
    return { ...(this as object) } as Record<string, unknown>;
  }

  /**
   * Applies the decision to a perspective: runs the perspective's `@event` method for this
   * decision class (if it has one), then `apply`. Returns the perspective.
   */
  mutate<P extends object>(perspective: P | null): P | null {
    if (perspective === null) {
      throw new ProgrammingError(
        `${this.constructor.name} cannot be applied to nothing: only an InitialDecision ` +
          'creates an enduring object. Read the object with the events that begin with its ' +
          'initial decision, or apply this decision to an existing perspective.',
      );
    }
    runApplier(this, perspective);
    this.apply(perspective);
    return perspective;
  }

  /**
   * Override to apply the decision to any perspective that selects it, after the
   * perspective's own `@event` method (if any) has run. Does nothing by default.
   */
  apply(_perspective: object): void {}
}

/**
 * Makes a frozen decision of class `cls` from its fields, without calling a constructor
 * (`Decision.create` as a function). Fields whose value is `undefined` are left out.
 */
export function createDecision<D extends Decision>(
  cls: DecisionClass<D>,
  fields: DecisionFields<D>,
): D {
  if (typeof cls !== 'function' || !(cls.prototype instanceof Decision)) {
    throw new TypeError(
      `Expected a class that extends Decision, got ${describeValue(cls)}: declare decisions as ` +
        "'class CourseDefined extends Decision { declare readonly courseId: string }'.",
    );
  }
  const given = fields as Record<string, unknown>;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(
      `${cls.name}.create() takes an object of fields, got ${describeValue(given)}.`,
    );
  }
  const decision = Object.create(cls.prototype) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const value = given[key];
    if (value !== undefined) decision[key] = value;
  }
  return Object.freeze(decision) as D;
}
