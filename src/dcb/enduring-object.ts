import { randomUUID } from 'node:crypto';
import { ProgrammingError } from '../domain/errors.js';
import { nearestCreation, reconstructed, runtime } from './internal.js';
import { Perspective } from './perspective.js';
import { Selector } from './selector.js';

/**
 * An aggregate-like perspective (Python's `EnduringObject`): an entity with an id, whose
 * decisions are tagged with that id, and whose consistency boundary is every decision tagged
 * with it. Decorate the class with `@event(TheInitialDecision)`: constructing it then records
 * that decision from the constructor's arguments (named after its parameters), and reading it
 * back constructs it again from the stored decision. Decorate methods with
 * `@event(SomeDecision)`: calling one records that decision from its arguments, and its body is
 * how the decision is applied, now and on replay.
 *
 * Ids are `"{classname-lower}-{uuid}"` (`course-6f1c…`), as in Python; override the static
 * `createId()` for others.
 *
 * @example
 * ```ts
 * import { Decision, EnduringObject, InitialDecision, event } from 'eventsourcing/dcb';
 *
 * class CourseDefined extends InitialDecision {
 *   declare readonly courseId: string;
 *   declare readonly capacity: number;
 * }
 * class CapacityChanged extends Decision {
 *   declare readonly capacity: number;
 * }
 *
 * @event(CourseDefined)
 * class Course extends EnduringObject {
 *   capacity: number;
 *   constructor(capacity: number) {
 *     super();
 *     this.capacity = capacity;
 *   }
 *
 *   @event(CapacityChanged)
 *   changeCapacity(capacity: number): void {
 *     this.capacity = capacity;
 *   }
 * }
 *
 * const course = new Course(10);
 * course.changeCapacity(12);
 * console.log(course.newDecisions.length); // 2, both tagged with course.id
 * ```
 */
export class EnduringObject extends Perspective {
  /** The object's id, which tags its decisions. */
  readonly id: string;

  constructor() {
    super();
    const replayId = runtime.replayId;
    runtime.replayId = null;
    if (replayId !== null) {
      this.id = replayId;
      reconstructed.add(this);
      return;
    }
    const cls = new.target as typeof EnduringObject;
    if (nearestCreation(cls) === undefined) {
      throw new ProgrammingError(
        `${cls.name} has no initial decision, so constructing it would record nothing and it ` +
          `could never be read back. Decorate the class with @event(SomeInitialDecision) ` +
          "(a class extending InitialDecision whose fields are the constructor's parameters).",
      );
    }
    this.id = cls.createId();
  }

  /** The id of a new object of this class: `"{classname-lower}-{uuid}"`. */
  static createId(): string {
    return `${this.name.toLowerCase()}-${randomUUID()}`;
  }

  /** Every decision tagged with the object's id. */
  override get cb(): Selector[] {
    return [new Selector({ tags: [this.id] })];
  }

  /** The object's id, then `extra`. */
  protected override tagsFor(extra: readonly string[]): string[] {
    return [this.id, ...extra.filter((t) => t !== this.id)];
  }
}
