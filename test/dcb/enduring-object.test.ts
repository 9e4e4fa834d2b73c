// EnduringObject: an aggregate-like perspective whose decisions are tagged with its id, created
// by its initial decision (@event on the class) and changed by @event methods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DCBApplication,
  Decision,
  EnduringObject,
  event,
  InitialDecision,
  Selector,
} from '../../src/dcb/index.js';
import { ProgrammingError } from '../../src/domain/errors.js';

class CourseDefined extends InitialDecision {
  declare readonly courseId: string;
  declare readonly title: string;
  declare readonly capacity: number;
}
class CapacityChanged extends Decision {
  declare readonly capacity: number;
}
class Renamed extends Decision {
  declare readonly title: string;
}

@event(CourseDefined)
class Course extends EnduringObject {
  title: string;
  capacity: number;
  history: string[] = [];
  constructor(title: string, capacity: number) {
    super();
    this.title = title;
    this.capacity = capacity;
  }

  @event(CapacityChanged)
  changeCapacity(capacity: number): void {
    this.capacity = capacity;
    this.history.push(`capacity ${capacity}`);
  }

  @event(Renamed)
  rename(title: string): void {
    this.title = title;
    this.changeCapacity(0); // not allowed while applying
  }
}

describe('EnduringObject', () => {
  it('has an id made of its class name lower-cased and a UUID, as in Python', () => {
    const course = new Course('Maths', 10);
    assert.match(
      course.id,
      /^course-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.notEqual(new Course('Maths', 10).id, course.id);
  });

  it('records its initial decision from the constructor arguments, tagged with its id', () => {
    const course = new Course('Maths', 10);
    assert.equal(course.newDecisions.length, 1);
    const [tagged] = course.newDecisions;
    assert.ok(tagged?.decision instanceof CourseDefined);
    assert.deepEqual(tagged.tags, [course.id]);
    assert.deepEqual(tagged.decision.asDict(), {
      courseId: course.id,
      originatorTopic: 'Course',
      title: 'Maths',
      capacity: 10,
    });
    assert.ok(Object.isFrozen(tagged.decision));
  });

  it('applies a decorated method by running its body and records its decision tagged with its id', () => {
    const course = new Course('Maths', 10);
    course.changeCapacity(12);
    assert.equal(course.capacity, 12);
    assert.deepEqual(course.history, ['capacity 12']);
    const last = course.newDecisions.at(-1);
    assert.ok(last?.decision instanceof CapacityChanged);
    assert.equal(last.decision.capacity, 12);
    assert.deepEqual(last.tags, [course.id]);
  });

  it('has the decisions tagged with its id as its consistency boundary', () => {
    const course = new Course('Maths', 10);
    const [selector] = course.consistencyBoundary();
    assert.ok(selector instanceof Selector);
    assert.deepEqual(selector.tags, [course.id]);
    assert.deepEqual(selector.types, []);
  });

  it('is read back from its decisions without recording any, with the same id and state', async () => {
    await using app = new DCBApplication();
    const course = new Course('Maths', 10);
    course.changeCapacity(15);
    const position = await app.repository.save(course);
    assert.equal(position, 2);
    const copy = await app.repository.get<Course>(course.id);
    assert.ok(copy instanceof Course);
    assert.equal(copy.id, course.id);
    assert.equal(copy.title, 'Maths');
    assert.equal(copy.capacity, 15);
    assert.deepEqual(copy.history, ['capacity 15']);
    assert.deepEqual(copy.newDecisions, []);
    assert.equal(copy.lastKnownPosition, 2);
  });

  it('refuses a decorated method called while a decision is being applied', () => {
    const course = new Course('Maths', 10);
    assert.throws(() => course.rename('Physics'), ProgrammingError);
  });

  it('refuses construction of a class without an initial decision, saying how to add one', () => {
    class Bare extends EnduringObject {}
    assert.throws(
      () => new Bare(),
      (e: Error) => {
        assert.ok(e instanceof ProgrammingError);
        assert.match(e.message, /Bare has no initial decision/);
        assert.match(e.message, /@event\(SomeInitialDecision\)/);
        return true;
      },
    );
  });

  it('refuses an initial decision that is not an InitialDecision, on a class', () => {
    assert.throws(
      () =>
        event(CapacityChanged)(class Bad extends EnduringObject {}, {
          kind: 'class',
        } as ClassDecoratorContext),
      /CapacityChanged does not extend InitialDecision/,
    );
  });

  it('refuses a constructor parameter named like the id field', () => {
    class PlaceDefined extends InitialDecision {}
    assert.throws(
      () =>
        event(PlaceDefined)(
          class Place extends EnduringObject {
            constructor(readonly placeId: string) {
              super();
            }
          },
          { kind: 'class' } as ClassDecoratorContext,
        ),
      /parameter 'placeId' clashes/,
    );
  });

  it('records the initial decision of a subclass decorated with its own initial decision', () => {
    class OnlineCourseDefined extends InitialDecision {
      declare readonly url: string;
    }
    @event(OnlineCourseDefined)
    class OnlineCourse extends Course {
      url: string;
      constructor(url: string) {
        super('Online', 100);
        this.url = url;
      }
    }
    const online = new OnlineCourse('https://example.com');
    assert.equal(online.newDecisions.length, 1);
    assert.ok(online.newDecisions[0]?.decision instanceof OnlineCourseDefined);
    assert.match(online.id, /^onlinecourse-/);
  });
});
