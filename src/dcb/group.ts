import { describeValue } from '../utils/describe-value.js';
import type { DecisionClass } from './decision.js';
import { EnduringObject } from './enduring-object.js';
import { appliersOf } from './internal.js';
import { Perspective } from './perspective.js';
import { Selector } from './selector.js';
import type { Tagged } from './tagged.js';

/**
 * A decision across several enduring objects (Python's `Group`): say, a student joining a
 * course, which the course's capacity and the student's limit both constrain. Its consistency
 * boundary is the union of its members' (every decision tagged with any member's id); a
 * decision it triggers is tagged with every member's id and applied to each member (then to
 * the group, when the group has an `@event` method for it). Read one with
 * `repository.getGroup(GroupClass, ...ids)`, which passes the members to the constructor in
 * the order of the ids.
 */
export abstract class Group extends Perspective {
  /** The group's members, in the order given to the constructor. */
  readonly enduringObjects: readonly EnduringObject[];

  constructor(...enduringObjects: EnduringObject[]) {
    super();
    for (const o of enduringObjects) {
      if (!(o instanceof EnduringObject)) {
        throw new TypeError(
          `${new.target.name} takes enduring objects (read them with the repository), got ` +
            `${describeValue(o)}.`,
        );
      }
    }
    this.enduringObjects = Object.freeze([...enduringObjects]);
  }

  /** Every decision tagged with any member's id (the members' boundaries, by tags only). */
  override get cb(): Selector[] {
    return this.enduringObjects.flatMap((o) =>
      o.consistencyBoundary().map((s) => new Selector({ tags: s.tags })),
    );
  }

  /** Every member's id, then `extra`. */
  protected override tagsFor(extra: readonly string[]): string[] {
    const ids = this.enduringObjects.map((o) => o.id);
    return [...ids, ...extra.filter((t) => !ids.includes(t))];
  }

  /** Applies the decision to each member, then to the group if it has a method for it. */
  protected override applyNewDecision(tagged: Tagged): void {
    for (const o of this.enduringObjects) tagged.decision.mutate(o);
    if (appliersOf(this.constructor).has(tagged.decision.constructor as DecisionClass)) {
      tagged.decision.mutate(this);
    }
  }
}
