import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Aggregate,
  type AggregateEvent,
  aggregate,
  classVersionOf,
  event,
  getTopic,
  resolveTopic,
  Snapshot,
  upcastState,
} from '../../src/domain/index.js';

@aggregate('Registered')
class Dog extends Aggregate {
  declare static readonly TrickAdded: typeof AggregateEvent;
  name: string;
  tricks: string[] = [];
  constructor(name: string) {
    super();
    this.name = name;
  }
  @event('TrickAdded')
  addTrick(trick: string): void {
    this.tricks.push(trick);
  }
}

describe('Snapshot', () => {
  test('take records the state with Python field names, without id, version or pending events', () => {
    const dog = new Dog('Fido');
    dog.addTrick('roll over');
    const snapshot = Snapshot.take(dog);
    assert.ok(snapshot instanceof Snapshot);
    assert.ok(Object.isFrozen(snapshot));
    assert.equal(snapshot.originatorId, dog.id);
    assert.equal(snapshot.originatorVersion, 2);
    assert.equal(snapshot.topic, 'Dog');
    assert.ok(snapshot.timestamp instanceof Date);
    assert.deepEqual(Object.keys(snapshot.state), [
      '_created_on',
      '_modified_on',
      'name',
      'tricks',
    ]);
    assert.equal(snapshot.state._created_on, dog.createdOn);
    assert.equal(snapshot.state._modified_on, dog.modifiedOn);
    assert.deepEqual(snapshot.state.tricks, ['roll over']);
    assert.equal(getTopic(Snapshot), 'Snapshot');
  });

  test('mutate reconstructs the aggregate without its constructor; later events apply', () => {
    const dog = new Dog('Fido');
    dog.addTrick('roll over');
    dog.addTrick('fetch');
    const events = dog.collectEvents();
    // The snapshot's state shares values with the aggregate (a shallow copy, as in Python):
    // take it from an aggregate at version 2 that nothing changes afterwards.
    let atTwo: Dog | null = null;
    for (const e of events.slice(0, 2)) atTwo = e.mutate(atTwo);
    const snapshot = Snapshot.take(atTwo as Dog);
    const later = events[2];
    const copy = snapshot.mutate<Dog>(null);
    assert.ok(copy instanceof Dog);
    assert.deepEqual(Object.keys(copy), Object.keys(dog));
    assert.equal(copy.id, dog.id);
    assert.equal(copy.version, 2);
    assert.equal(copy.name, 'Fido');
    assert.equal(copy.createdOn, dog.createdOn);
    assert.deepEqual(copy.pendingEvents, []);
    later?.mutate(copy);
    assert.deepEqual(copy.tricks, ['roll over', 'fetch']);
    assert.equal(copy.version, 3);
    // Commands work on a reconstructed aggregate.
    copy.addTrick('sit');
    assert.equal(copy.pendingEvents.length, 1);
    assert.equal(copy.version, 4);
  });

  test("an aggregate's own Snapshot class gets the topic Dog.Snapshot", () => {
    @aggregate('Hatched')
    class Owl extends Aggregate {
      static override Snapshot = class extends Snapshot {};
      hoots = 0;
    }
    const owl = new Owl();
    const snapshot = Owl.Snapshot.take(owl);
    assert.ok(snapshot instanceof Owl.Snapshot);
    assert.equal(getTopic(Owl.Snapshot), 'Owl.Snapshot');
    assert.equal(snapshot.mutate<Owl>(null).hoots, 0);
  });

  test('state written by an older class version is upcast through each version in order', () => {
    // Version 1 of the class had a field 'a'; each later version changed the state.
    @aggregate('Made')
    class Thing extends Aggregate {
      static classVersion = 4;
      aa = '';
      b = 0;
      c: string[] = [];
      static upcastV1V2(state: Record<string, unknown>): void {
        state.aa = String(state.a).toUpperCase();
        delete state.a;
      }
      static upcastV2V3(state: Record<string, unknown>): void {
        state.b = 0;
      }
      static upcastV3V4(state: Record<string, unknown>): void {
        state.c = [];
      }
    }
    const created = new Date('2020-01-01T00:00:00Z');
    const stateV1 = { _created_on: created, _modified_on: created, a: 'text' };
    const old = Snapshot.create({
      originatorId: 'thing-1',
      originatorVersion: 5,
      topic: 'Thing',
      state: stateV1,
    });
    const thing = old.mutate<Thing>(null);
    assert.ok(thing instanceof Thing);
    assert.deepEqual([thing.aa, thing.b, thing.c], ['TEXT', 0, []]);
    assert.equal(Object.hasOwn(thing, 'a'), false);
    assert.equal(Object.hasOwn(thing, 'class_version'), false);
    assert.equal(thing.createdOn, created);
    assert.equal(thing.version, 5);
    assert.deepEqual(
      stateV1,
      { _created_on: created, _modified_on: created, a: 'text' },
      'unchanged',
    );

    // From version 2 and 3 too ('class_version' is in the stored state when above 1).
    const v2 = Snapshot.create({
      originatorId: 'thing-2',
      originatorVersion: 1,
      topic: 'Thing',
      state: { _created_on: created, _modified_on: created, aa: 'X', class_version: 2 },
    }).mutate<Thing>(null);
    assert.deepEqual([v2.aa, v2.b, v2.c], ['X', 0, []]);
    const v3 = Snapshot.create({
      originatorId: 'thing-3',
      originatorVersion: 1,
      topic: 'Thing',
      state: { _created_on: created, _modified_on: created, aa: 'Y', b: 7, class_version: 3 },
    }).mutate<Thing>(null);
    assert.deepEqual([v3.aa, v3.b, v3.c], ['Y', 7, []]);

    // A snapshot taken now records the current version and needs no upcasting.
    const fresh = new Thing();
    fresh.aa = 'Z';
    const current = Snapshot.take(fresh);
    assert.equal(current.state.class_version, 4);
    const again = current.mutate<Thing>(null);
    assert.equal(again.aa, 'Z');
    assert.equal(Object.hasOwn(again, 'class_version'), false);
  });

  test('a missing upcaster or a bad classVersion is a TypeError that says what to add', () => {
    class Gap {
      static classVersion = 3;
      static upcastV1V2(state: Record<string, unknown>): void {
        state.x = 1;
      }
    }
    const state: Record<string, unknown> = {};
    assert.throws(() => upcastState(Gap, state, 1), {
      name: 'TypeError',
      message: /Cannot upcast state of Gap from version 2 to 3: .* no static upcastV2V3\(state\)/,
    });
    assert.equal(state.x, 1);
    assert.equal(classVersionOf(class {}), 1);
    assert.throws(
      () =>
        classVersionOf(
          class Bad {
            static classVersion = 0;
          },
        ),
      { name: 'TypeError', message: /Bad\.classVersion must be a positive integer, got 0/ },
    );
    // Nothing to do when already current.
    const same: Record<string, unknown> = { y: 2 };
    upcastState(Gap, same, 3);
    assert.deepEqual(same, { y: 2 });
  });

  test('take of something that is not an aggregate is a TypeError; an unknown topic a TopicError', () => {
    assert.throws(() => Snapshot.take(null as unknown as Dog), {
      name: 'TypeError',
      message: /Cannot take a snapshot of null/,
    });
    const orphan = Snapshot.create({
      originatorId: 'x',
      originatorVersion: 1,
      topic: 'NoSuchAggregate',
      state: {},
    });
    assert.throws(() => orphan.mutate(null), {
      name: 'TopicError',
      message: /Failed to resolve topic 'NoSuchAggregate'/,
    });
  });

  test("snapshots are written as 'Snapshot' and Python's topic reads as the same class", () => {
    assert.equal(getTopic(Snapshot), 'Snapshot');
    assert.equal(resolveTopic('Snapshot'), Snapshot);
    assert.equal(resolveTopic('eventsourcing.domain:Snapshot'), Snapshot);
  });
});
