// Group (a decision across enduring objects) and Slice (a command with its own boundary), and
// the @event decorator's checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregateNotFoundError } from '../../src/application/errors.js';
import {
  DCBApplication,
  Decision,
  EnduringObject,
  event,
  Group,
  InitialDecision,
  Selector,
  Slice,
  Tagged,
} from '../../src/dcb/index.js';
import { ProgrammingError } from '../../src/domain/errors.js';

class StudentRegistered extends InitialDecision {
  declare readonly studentId: string;
  declare readonly name: string;
}
class TeamDefined extends InitialDecision {
  declare readonly teamId: string;
  declare readonly size: number;
}
class Joined extends Decision {
  declare readonly note: string;
}

@event(StudentRegistered)
class Student extends EnduringObject {
  teams = 0;
  constructor(readonly name: string) {
    super();
  }
  @event(Joined)
  joined(): void {
    this.teams++;
  }
}

@event(TeamDefined)
class Team extends EnduringObject {
  members = 0;
  constructor(readonly size: number) {
    super();
  }
  @event(Joined)
  joined(): void {
    this.members++;
  }
}

class Enrolment extends Group {
  notes: string[] = [];
  constructor(
    readonly student: Student,
    readonly team: Team,
  ) {
    super(student, team);
  }
  @event(Joined)
  join(note: string): void {
    this.notes.push(note);
  }
}

describe('Group', () => {
  it('tags its decisions with every member id and applies them to each member and itself', () => {
    const student = new Student('Ann');
    const team = new Team(3);
    const group = new Enrolment(student, team);
    group.join('first');
    const [tagged] = group.collectNewDecisions();
    assert.deepEqual(tagged?.tags, [student.id, team.id]);
    assert.equal(student.teams, 1);
    assert.equal(team.members, 1);
    assert.deepEqual(group.notes, ['first']);
  });

  it('has the union of its members boundaries as its own', () => {
    const student = new Student('Ann');
    const team = new Team(3);
    const tags = new Enrolment(student, team).consistencyBoundary().map((s) => s.tags);
    assert.deepEqual(tags, [[student.id], [team.id]]);
  });

  it('refuses members that are not enduring objects', () => {
    assert.throws(() => new Enrolment({} as Student, new Team(1)), /takes enduring objects/);
  });

  it('is read with its members, saved, and its decision read back by each member', async () => {
    await using app = new DCBApplication();
    const student = new Student('Ann');
    const team = new Team(3);
    await app.repository.save(student);
    await app.repository.save(team);
    const group = await app.repository.getGroup(Enrolment, student.id, team.id);
    assert.equal(group.lastKnownPosition, 2);
    group.join('hello');
    assert.equal(await app.repository.save(group), 3);
    assert.equal((await app.repository.get<Team>(team.id)).members, 1);
    assert.equal((await app.repository.get<Student>(student.id)).teams, 1);
    await assert.rejects(
      app.repository.getGroup(Enrolment, student.id, 'team-x'),
      AggregateNotFoundError,
    );
  });
});

class Counted extends Decision {
  declare readonly n: number;
}

class CountSlice extends Slice {
  total = 0;
  override get cb(): Selector {
    return new Selector({ types: [Counted] });
  }
  @event(Counted)
  counted(n: number): void {
    this.total += n;
  }
  override execute(): void {
    this.triggerEvent(Counted, { n: this.total + 1 }, { tags: ['counter'] });
  }
}

describe('Slice', () => {
  it('lists the decision classes its methods apply, and so reads before executing', () => {
    assert.deepEqual(CountSlice.projectedTypes, [Counted]);
    assert.equal(CountSlice.doProjection, true);
    class Blind extends Slice {}
    assert.equal(Blind.doProjection, false);
  });

  it('applies what it triggers to itself and keeps it as a new decision with the tags given', () => {
    const s = new CountSlice();
    s.execute();
    assert.equal(s.total, 1);
    assert.deepEqual(
      s.newDecisions.map((t) => [...t.tags]),
      [['counter']],
    );
  });

  it('says how to state a boundary when it has none', () => {
    class NoBoundary extends Slice {}
    assert.throws(
      () => new NoBoundary().consistencyBoundary(),
      (e: Error) => e instanceof ProgrammingError && /define a 'get cb\(\)'/.test(e.message),
    );
  });

  it('applies tagged decisions appended to it', () => {
    const s = new CountSlice();
    s.appendNewDecision(new Tagged(['x'], Counted.create({ n: 5 })));
    assert.equal(s.total, 5);
    assert.equal(s.collectNewDecisions().length, 1);
    assert.equal(s.newDecisions.length, 0);
  });

  it('runs through the application: read, execute, save', async () => {
    await using app = new DCBApplication();
    assert.equal((await app.do(new CountSlice())).total, 1);
    const second = await app.do(new CountSlice());
    assert.equal(second.total, 3); // read 1, then decided 2
    assert.equal(second.lastKnownPosition, 2);
  });
});

describe('@event', () => {
  it('refuses something that is not a decision class', () => {
    assert.throws(() => event('Counted' as never), /takes a decision class/);
  });

  it('refuses a getter, saying what it decorates', () => {
    assert.throws(
      () =>
        event(Counted)(
          (() => 1) as never,
          { kind: 'getter', name: 'x', static: false, private: false } as never,
        ),
      /decorates methods and EnduringObject classes, not a getter/,
    );
  });

  it('refuses a method whose parameters are destructured', () => {
    assert.throws(
      () =>
        event(Counted)(
          (({ n }: { n: number }) => n) as never,
          { kind: 'method', name: 'm', static: false, private: false } as never,
        ),
      /cannot name the decision's fields after the parameters/,
    );
  });
});
