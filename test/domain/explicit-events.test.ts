import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Aggregate,
  type AggregateCreated,
  type AggregateEvent,
  createAggregate,
  getTopic,
  NAMESPACE_URL,
  OriginatorIDError,
  OriginatorVersionError,
  ProgrammingError,
  registerAggregate,
  resolveTopic,
  TopicError,
  uuid5,
} from '../../src/domain/index.js';

function replay<A>(events: readonly { mutate(a: A | null): A | null }[]): A {
  let current: A | null = null;
  for (const e of events) current = e.mutate(current);
  assert.ok(current !== null);
  return current;
}

/** Python's aggregate2/aggregate3 style: explicit event classes, no decorators. */
class Dog extends Aggregate {
  static Registered = class Registered extends Aggregate.Created {
    declare readonly name: string;
    override apply(dog: Dog): void {
      dog.name = this.name;
    }
  };
  static TrickAdded = class TrickAdded extends Aggregate.Event {
    declare readonly trick: string;
    override apply(dog: Dog): void {
      dog.tricks.push(this.trick);
    }
  };
  name = '';
  tricks: string[] = [];

  static register(name: string): Dog {
    return Dog._create(Dog.Registered, { name });
  }

  addTrick(trick: string): void {
    this.triggerEvent(Dog.TrickAdded, { trick });
  }
}
registerAggregate(Dog);

describe('explicit event classes', () => {
  test('registerAggregate registers the class and its static event classes', () => {
    assert.equal(getTopic(Dog), 'Dog');
    assert.equal(getTopic(Dog.Registered), 'Dog.Registered');
    assert.equal(getTopic(Dog.TrickAdded), 'Dog.TrickAdded');
    assert.equal(resolveTopic('Dog.TrickAdded'), Dog.TrickAdded);
  });

  test('_create and triggerEvent record events that replay into the same state', () => {
    const dog = Dog.register('Fido');
    dog.addTrick('roll over');
    const returned = dog.triggerEvent(Dog.TrickAdded, { trick: 'fetch' });
    assert.ok(returned instanceof Dog.TrickAdded);
    assert.equal(returned.trick, 'fetch');
    assert.equal(dog.name, 'Fido');
    assert.deepEqual(dog.tricks, ['roll over', 'fetch']);
    assert.equal(dog.version, 3);
    const events = dog.collectEvents();
    assert.deepEqual(
      events.map((e) => e.originatorVersion),
      [1, 2, 3],
    );
    assert.equal((events[0] as AggregateCreated).originatorTopic, 'Dog');
    assert.ok(events.every((e) => Object.isFrozen(e)));
    const copy = replay<Dog>(events);
    assert.ok(copy instanceof Dog);
    assert.equal(copy.id, dog.id);
    assert.equal(copy.name, 'Fido');
    assert.deepEqual(copy.tricks, ['roll over', 'fetch']);
    assert.deepEqual(copy.pendingEvents, []);
  });

  test('_create takes an explicit id and timestamp; triggerEvent takes a timestamp', () => {
    const when = new Date('2021-05-05T05:05:05Z');
    const dog = Dog._create(Dog.Registered, { name: 'Rex', id: 'dog-rex', timestamp: when });
    assert.equal(dog.id, 'dog-rex');
    assert.equal(dog.createdOn, when);
    const [created] = dog.pendingEvents;
    assert.equal(Object.hasOwn(created as object, 'id'), false);
    const later = new Date('2021-06-06T06:06:06Z');
    dog.triggerEvent(Dog.TrickAdded, { trick: 'sit', timestamp: later });
    assert.equal(dog.modifiedOn, later);
  });

  test('_create passes the event fields to createId by parameter name', () => {
    class Vehicle extends Aggregate {
      static Registered = class Registered extends Aggregate.Created {
        declare readonly licencePlate: string;
        override apply(v: Vehicle): void {
          v.licencePlate = this.licencePlate;
        }
      };
      static override createId(licencePlate: string): string {
        return uuid5(NAMESPACE_URL, licencePlate);
      }
      licencePlate = '';
    }
    registerAggregate(Vehicle);
    const v = createAggregate(Vehicle, Vehicle.Registered, { licencePlate: 'AB12' });
    assert.equal(v.id, uuid5(NAMESPACE_URL, 'AB12'));
    assert.equal(v.licencePlate, 'AB12');
  });

  test('an exception in apply leaves version, modifiedOn and pending events unchanged', () => {
    class Account extends Aggregate {
      static Opened = class Opened extends Aggregate.Created {};
      static Withdrawn = class Withdrawn extends Aggregate.Event {
        declare readonly amount: number;
        override apply(account: Account): void {
          if (this.amount > account.balance) throw new RangeError('insufficient funds');
          account.balance -= this.amount;
        }
      };
      balance = 0;
    }
    registerAggregate(Account);
    const account = Account._create(Account.Opened);
    const { version, modifiedOn } = account;
    assert.throws(() => account.triggerEvent(Account.Withdrawn, { amount: 5 }), RangeError);
    assert.equal(account.version, version);
    assert.equal(account.modifiedOn, modifiedOn);
    assert.equal(account.pendingEvents.length, 1);
  });

  test('mutate checks the originator id and version', () => {
    const dog = Dog.register('Fido');
    const other = Dog.register('Rex');
    dog.addTrick('sit');
    const [, trick] = dog.collectEvents();
    assert.ok(trick !== undefined);
    assert.throws(() => trick.mutate(other), {
      name: 'OriginatorIDError',
      message: new RegExp(`originatorId '${dog.id}' but the aggregate's id is '${other.id}'`),
    });
    assert.ok(OriginatorIDError);
    assert.equal(other.version, 1);
  });

  test('an event out of order is an OriginatorVersionError; nothing changes', () => {
    const dog = Dog.register('Fido');
    dog.addTrick('sit');
    dog.addTrick('stay');
    const events = dog.collectEvents();
    const copy = replay<Dog>(events.slice(0, 1));
    assert.throws(() => events[2]?.mutate(copy), {
      name: 'OriginatorVersionError',
      message:
        /has originatorVersion 3 but aggregate .* is at version 1, so the next event must have version 2/,
    });
    events[1]?.mutate(copy);
    assert.throws(() => events[1]?.mutate(copy), OriginatorVersionError, 'applying twice');
    assert.deepEqual(copy.tricks, ['sit']);
    assert.equal(copy.version, 2);
  });

  test('a non-created event applied to no aggregate is a ProgrammingError', () => {
    const dog = Dog.register('Fido');
    dog.addTrick('sit');
    const [, trick] = dog.collectEvents();
    assert.throws(() => trick?.mutate(null), {
      name: 'ProgrammingError',
      message: /only a "created" event \(AggregateCreated\) can start an aggregate/,
    });
    assert.ok(ProgrammingError);
  });
});

describe('explicit classes: bad uses', () => {
  test('an unregistered aggregate class is a TopicError saying how to register it', () => {
    class Stray extends Aggregate {
      static Found = class Found extends Aggregate.Created {};
    }
    assert.throws(() => Stray._create(Stray.Found), {
      name: 'TopicError',
      message: /Aggregate class Stray has no registered topic.*registerAggregate\(Stray\)/s,
    });
    assert.ok(TopicError);
  });

  test("an undecorated class cannot be constructed with 'new'", () => {
    assert.throws(() => new Dog(), {
      name: 'TypeError',
      message: /Dog cannot be constructed with 'new' because it is not decorated with @aggregate/,
    });
  });

  test('_create needs a created event class; triggerEvent needs an aggregate event class', () => {
    assert.throws(() => Dog._create(Dog.TrickAdded as unknown as typeof AggregateCreated), {
      name: 'TypeError',
      message: /Dog\._create\(\) needs a created event class/,
    });
    const dog = Dog.register('Fido');
    class Unrelated {}
    assert.throws(() => dog.triggerEvent(Unrelated as unknown as typeof AggregateEvent), {
      name: 'TypeError',
      message: /is not an aggregate event class/,
    });
    assert.equal(dog.version, 1);
    assert.equal(dog.pendingEvents.length, 1);
  });

  test('createId returning a non-string is a TypeError', () => {
    class Odd extends Aggregate {
      static Made = class Made extends Aggregate.Created {};
      static override createId(): string {
        return '';
      }
    }
    registerAggregate(Odd);
    assert.throws(() => Odd._create(Odd.Made), {
      name: 'TypeError',
      message: /Odd\.createId\(\) returned "": an aggregate id must be a non-empty string/,
    });
  });

  test('registerAggregate with an explicit topic, and a static topic on an event class', () => {
    class Lamp extends Aggregate {
      static Installed = class Installed extends Aggregate.Created {};
      static Switched = class Switched extends Aggregate.Event {
        static topic = 'legacy:LampSwitched';
      };
    }
    assert.equal(registerAggregate(Lamp, 'home:Lamp'), 'home:Lamp');
    assert.equal(getTopic(Lamp), 'home:Lamp');
    assert.equal(getTopic(Lamp.Installed), 'home:Lamp.Installed');
    assert.equal(getTopic(Lamp.Switched), 'legacy:LampSwitched');
    const lamp = Lamp._create(Lamp.Installed);
    assert.equal((lamp.pendingEvents[0] as AggregateCreated).originatorTopic, 'home:Lamp');
    assert.throws(() => registerAggregate('Lamp' as unknown as typeof Lamp), TypeError);
  });
});
