/**
 * The modelling styles of the Python examples aggregate3 to aggregate6, at the domain level:
 * the application layer only needs the protocols (id, version, collectEvents, a projector).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  Aggregate,
  type AggregateLike,
  type CollectEvents,
  DomainEvent,
  type DomainEventLike,
  getTopic,
  type ProjectorFunction,
  registerAggregate,
  registerTopic,
  resolveTopic,
} from '../../src/domain/index.js';

describe('aggregate3: explicit trigger and apply with a when() dispatch', () => {
  class Dog extends Aggregate {
    static override Event = class Event extends Aggregate.Event {
      override apply(dog: Dog): void {
        dog.when(this);
      }
    };
    static Registered = class Registered extends Aggregate.Created {
      declare readonly name: string;
      override apply(dog: Dog): void {
        dog.when(this);
      }
    };
    static TrickAdded = class TrickAdded extends Dog.Event {
      declare readonly trick: string;
    };
    name = '';
    tricks: string[] = [];

    static register(name: string): Dog {
      return Dog._create(Dog.Registered, { name });
    }
    addTrick(trick: string): void {
      this.triggerEvent(Dog.TrickAdded, { trick });
    }
    /** One handler per event class, like Python's singledispatchmethod. */
    when(event: DomainEvent): void {
      if (event instanceof Dog.Registered) {
        this.name = event.name;
        this.tricks = [];
      } else if (event instanceof Dog.TrickAdded) {
        this.tricks.push(event.trick);
      } else {
        throw new TypeError(`Dog cannot apply ${event.constructor.name}`);
      }
    }
  }
  registerAggregate(Dog);

  test('commands trigger events, applied through when(), and replay the same way', () => {
    const dog = Dog.register('Fido');
    dog.addTrick('roll over');
    assert.deepEqual([dog.name, dog.tricks], ['Fido', ['roll over']]);
    const events = dog.collectEvents();
    assert.equal(getTopic(events[1]?.constructor as object), 'Dog.TrickAdded');
    let copy: Dog | null = null;
    for (const e of events) copy = e.mutate(copy);
    assert.deepEqual([copy?.name, copy?.tricks, copy?.version], ['Fido', ['roll over'], 2]);
    assert.throws(() => dog.triggerEvent(Dog.Event), /Dog cannot apply Event/);
    assert.equal(dog.version, 2);
  });
});

describe('aggregate4: custom base classes, without the library Aggregate', () => {
  /** The project's own event base: plain frozen objects with a type tag. */
  interface BaseEvent extends DomainEventLike {
    readonly type: string;
    readonly timestamp: Date;
  }
  interface Registered extends BaseEvent {
    readonly type: 'Registered';
    readonly name: string;
  }
  interface TrickAdded extends BaseEvent {
    readonly type: 'TrickAdded';
    readonly trick: string;
  }
  type DogEvent = Registered | TrickAdded;
  /** An event without what the aggregate adds (distributes over unions). */
  type Draft<E> = E extends unknown
    ? Omit<E, 'originatorId' | 'originatorVersion' | 'timestamp'>
    : never;

  /** The project's own mutable aggregate base. */
  abstract class BaseAggregate<E extends BaseEvent> implements AggregateLike, CollectEvents {
    id = '';
    version = 0;
    private pending: E[] = [];
    protected trigger(event: Draft<E>): void {
      const full = Object.freeze({
        ...event,
        originatorId: this.id,
        originatorVersion: this.version + 1,
        timestamp: new Date(),
      }) as unknown as E;
      this.apply(full);
      this.pending.push(full);
    }
    protected abstract apply(event: E): void;
    collectEvents(): E[] {
      return this.pending.splice(0);
    }
  }

  class Dog extends BaseAggregate<DogEvent> {
    name = '';
    tricks: string[] = [];
    static register(name: string): Dog {
      const dog = new Dog();
      dog.id = randomUUID();
      dog.trigger({ type: 'Registered', name });
      return dog;
    }
    addTrick(trick: string): void {
      this.trigger({ type: 'TrickAdded', trick });
    }
    protected apply(event: DogEvent): void {
      if (event.type === 'Registered') this.name = event.name;
      else this.tricks.push(event.trick);
      this.id = event.originatorId;
      this.version = event.originatorVersion;
    }
    /** The projector the repository is given. */
    static projector: ProjectorFunction<Dog, DogEvent> = (dog, events) => {
      const current = dog ?? new Dog();
      for (const e of events) current.apply(e);
      return current;
    };
  }

  test('the protocols are enough: collect events, then project them', () => {
    const dog = Dog.register('Fido');
    dog.addTrick('roll over');
    const events = dog.collectEvents();
    assert.deepEqual(dog.collectEvents(), []);
    const copy = Dog.projector(null, events);
    assert.ok(copy instanceof Dog);
    assert.deepEqual(
      [copy.id, copy.version, copy.name, copy.tricks],
      [dog.id, 2, 'Fido', ['roll over']],
    );
  });
});

describe('aggregate5: immutable aggregates whose commands return events', () => {
  class DogRegistered extends DomainEvent {
    declare readonly name: string;
  }
  class TrickAdded extends DomainEvent {
    declare readonly trick: string;
  }
  registerTopic('Dog5.Registered', DogRegistered);
  registerTopic('Dog5.TrickAdded', TrickAdded);

  class Dog implements AggregateLike {
    constructor(
      readonly id: string,
      readonly version: number,
      readonly createdOn: Date,
      readonly modifiedOn: Date,
      readonly name: string,
      readonly tricks: readonly string[],
    ) {
      Object.freeze(this);
    }
    static register(name: string): DogRegistered {
      return DogRegistered.create({ originatorId: randomUUID(), originatorVersion: 1, name });
    }
    addTrick(trick: string): TrickAdded {
      return TrickAdded.create({
        originatorId: this.id,
        originatorVersion: this.version + 1,
        trick,
      });
    }
    /** Builds a new aggregate for each event. */
    static mutate(event: DomainEvent, dog: Dog | null): Dog {
      if (event instanceof DogRegistered) {
        return new Dog(event.originatorId, 1, event.timestamp, event.timestamp, event.name, []);
      }
      if (event instanceof TrickAdded && dog !== null) {
        return new Dog(dog.id, event.originatorVersion, dog.createdOn, event.timestamp, dog.name, [
          ...dog.tricks,
          event.trick,
        ]);
      }
      throw new TypeError(`Cannot apply ${event.constructor.name}`);
    }
    static projector: ProjectorFunction<Dog, DomainEvent> = (dog, events) => {
      let current = dog;
      for (const e of events) current = Dog.mutate(e, current);
      return current;
    };
  }

  test('commands return new events, and each event makes a new frozen aggregate', () => {
    const registered = Dog.register('Fido');
    const dog = Dog.mutate(registered, null);
    const added = dog.addTrick('roll over');
    const dog2 = Dog.mutate(added, dog);
    assert.notEqual(dog2, dog);
    assert.deepEqual(dog.tricks, []);
    assert.deepEqual(dog2.tricks, ['roll over']);
    assert.ok(Object.isFrozen(dog2));
    assert.ok(Object.isFrozen(added));
    const copy = Dog.projector(null, [registered, added]);
    assert.deepEqual([copy?.version, copy?.name, copy?.tricks], [2, 'Fido', ['roll over']]);
    assert.equal(resolveTopic('Dog5.TrickAdded'), TrickAdded);
  });
});

describe('aggregate6: functional style with a projector function', () => {
  interface DogState {
    readonly id: string;
    readonly version: number;
    readonly name: string;
    readonly tricks: readonly string[];
  }
  class Registered extends DomainEvent {
    declare readonly name: string;
  }
  class TrickAdded extends DomainEvent {
    declare readonly trick: string;
  }

  function registerDog(name: string): Registered {
    return Registered.create({ originatorId: randomUUID(), originatorVersion: 1, name });
  }
  function addTrick(dog: DogState, trick: string): TrickAdded {
    return TrickAdded.create({ originatorId: dog.id, originatorVersion: dog.version + 1, trick });
  }
  const projectDog: ProjectorFunction<DogState, DomainEvent> = (dog, events) => {
    let current = dog;
    for (const e of events) {
      if (e instanceof Registered) {
        current = { id: e.originatorId, version: e.originatorVersion, name: e.name, tricks: [] };
      } else if (e instanceof TrickAdded && current !== null) {
        current = {
          ...current,
          version: e.originatorVersion,
          tricks: [...current.tricks, e.trick],
        };
      }
    }
    return current;
  };

  test('functions make events; the projector folds them into plain state', () => {
    const registered = registerDog('Fido');
    const dog = projectDog(null, [registered]);
    assert.ok(dog !== null);
    const added = addTrick(dog, 'roll over');
    const updated = projectDog(dog, [added]);
    assert.deepEqual(updated, {
      id: registered.originatorId,
      version: 2,
      name: 'Fido',
      tricks: ['roll over'],
    });
    assert.deepEqual(dog.tricks, [], 'the earlier state is unchanged');
  });
});
