import { resolveTopic } from '../domain/topics.js';
import { describeValue } from '../utils/describe-value.js';
import { Decision } from './decision.js';
import { creations, runtime } from './internal.js';

/**
 * The decision that creates an enduring object (Python's `InitialDecision`): the constructor of
 * an `EnduringObject` class decorated with `@event(TheInitialDecision)` records it. Besides the
 * constructor's parameters, it holds the object's id under the field `idFieldName` names
 * (`courseId` for a class `Course`) and the class's topic as `originatorTopic`, from which
 * the object is made again when it is read.
 */
export class InitialDecision extends Decision {
  /** The topic of the enduring object's class (stored as Python's `originator_topic`). */
  declare readonly originatorTopic: string;

  /**
   * The field that holds the id of an enduring object of class `className`: its name with a
   * lower-case first letter, then `Id` (`Course` → `courseId`; Python: `course_id`).
   */
  static idFieldName(className: string): string {
    return `${className.charAt(0).toLowerCase()}${className.slice(1)}Id`;
  }

  /**
   * Given `null`, makes the enduring object this decision created (its constructor runs with
   * the decision's fields, recording nothing); given a perspective, applies the decision to it
   * as any decision is applied.
   */
  override mutate<P extends object>(perspective: P | null): P | null {
    if (perspective !== null) return super.mutate(perspective);
    const topic = this.originatorTopic;
    if (typeof topic !== 'string') {
      throw new TypeError(
        `${this.constructor.name} has no originatorTopic, so it names no class to create: ` +
          'initial decisions are recorded by the constructor of an EnduringObject class ' +
          'decorated with @event(InitialDecisionClass).',
      );
    }
    const cls = resolveTopic<new (...args: unknown[]) => P>(topic);
    const def = creations.get(cls);
    if (def === undefined) {
      throw new TypeError(
        `${this.constructor.name} names ${describeValue(cls)} (topic '${topic}'), which is ` +
          'not an EnduringObject class decorated with @event(InitialDecisionClass).',
      );
    }
    const fields = this as unknown as Record<string, unknown>;
    const id = fields[def.idFieldName];
    if (typeof id !== 'string' || id === '') {
      throw new TypeError(
        `${this.constructor.name} has no id in its field '${def.idFieldName}' ` +
          `(got ${describeValue(id)}), so the ${cls.name} it created cannot be made again.`,
      );
    }
    const args = def.paramNames.map((name) => fields[name]);
    runtime.replayId = id;
    try {
      return new cls(...args);
    } finally {
      runtime.replayId = null;
    }
  }
}
