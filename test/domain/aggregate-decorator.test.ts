import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Aggregate,
  AggregateCreated,
  AggregateEvent,
  aggregate,
  event,
  getTopic,
  NAMESPACE_URL,
  ProgrammingError,
  resolveTopic,
  TopicError,
  uuid5,
} from '../../src/domain/index.js';

/** Folds events into an aggregate, as the repository does. */
function replay<A>(events: readonly { mutate(a: A | null): A | null }[]): A {
  let current: A | null = null;
  for (const e of events) current = e.mutate(current);
  assert.ok(current !== null);
  return current;
}

@aggregate('Registered')
class Dog extends Aggregate {
  declare static readonly Registered: typeof AggregateCreated;
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

describe('@aggregate and @event: the Dog synopsis', () => {
  test('constructing records the created event named after the constructor parameters', () => {
    const dog = new Dog('Fido');
    assert.ok(dog instanceof Dog);
    assert.ok(dog instanceof Aggregate);
    assert.equal(dog.name, 'Fido');
    assert.deepEqual(dog.tricks, []);
    assert.equal(dog.version, 1);
    assert.match(dog.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(dog.createdOn instanceof Date);
    assert.equal(dog.modifiedOn, dog.createdOn);
    const [created] = dog.pendingEvents;
    assert.ok(created instanceof Dog.Registered);
    assert.ok(created instanceof AggregateCreated);
    assert.deepEqual(Object.keys(created), [
      'originatorId',
      'originatorVersion',
      'timestamp',
      'originatorTopic',
      'name',
    ]);
    assert.equal((created as unknown as { name: string }).name, 'Fido');
    assert.equal((created as AggregateCreated).originatorTopic, 'Dog');
    assert.equal(created.timestamp, dog.createdOn);
    assert.ok(Object.isFrozen(created));
  });

  test('a decorated method triggers its event, applied by the method body', () => {
    const dog = new Dog('Fido');
    const result = (dog.addTrick as (t: string) => unknown)('roll over');
    assert.equal(result, undefined);
    dog.addTrick('play dead');
    assert.deepEqual(dog.tricks, ['roll over', 'play dead']);
    assert.equal(dog.version, 3);
    const events = dog.collectEvents();
    assert.equal(events.length, 3);
    assert.deepEqual(
      events.map((e) => [e.constructor, e.originatorVersion]),
      [
        [Dog.Registered, 1],
        [Dog.TrickAdded, 2],
        [Dog.TrickAdded, 3],
      ],
    );
    assert.equal((events[1] as unknown as { trick: string }).trick, 'roll over');
    assert.equal(dog.modifiedOn, events[2]?.timestamp);
    assert.deepEqual(dog.collectEvents(), [], 'collectEvents drains the pending events');
    assert.deepEqual(dog.pendingEvents, []);
  });

  test('topics default to the class names and resolve to the classes', () => {
    assert.equal(getTopic(Dog), 'Dog');
    assert.equal(getTopic(Dog.Registered), 'Dog.Registered');
    assert.equal(getTopic(Dog.TrickAdded), 'Dog.TrickAdded');
    assert.equal(resolveTopic('Dog'), Dog);
    assert.equal(resolveTopic('Dog.TrickAdded'), Dog.TrickAdded);
    assert.equal(Dog.name, 'Dog');
  });

  test('replaying the collected events into a fresh aggregate reconstructs it', () => {
    const dog = new Dog('Fido');
    dog.addTrick('roll over');
    dog.addTrick('fetch');
    const events = dog.collectEvents();
    const copy = replay<Dog>(events);
    assert.ok(copy instanceof Dog);
    assert.notEqual(copy, dog);
    assert.equal(copy.id, dog.id);
    assert.equal(copy.version, 3);
    assert.equal(copy.name, 'Fido');
    assert.deepEqual(copy.tricks, ['roll over', 'fetch']);
    assert.equal(copy.createdOn, dog.createdOn);
    assert.equal(copy.modifiedOn, dog.modifiedOn);
    assert.deepEqual(copy.pendingEvents, [], 'replay records nothing');
    assert.deepEqual(Object.keys(copy), Object.keys(dog));
    // Replay to an earlier version.
    const earlier = replay<Dog>(events.slice(0, 2));
    assert.deepEqual(earlier.tricks, ['roll over']);
    assert.equal(earlier.version, 2);
  });

  test('an exception in a command body leaves version, modifiedOn and pending events unchanged', () => {
    @aggregate('Opened')
    class Account extends Aggregate {
      balance = 0;
      @event('Withdrawn')
      withdraw(amount: number): void {
        if (amount > this.balance) throw new RangeError('insufficient funds');
        this.balance -= amount;
      }
    }
    const account = new Account();
    const { version, modifiedOn } = account;
    const pending = account.pendingEvents.length;
    assert.throws(() => account.withdraw(10), RangeError);
    assert.equal(account.version, version);
    assert.equal(account.modifiedOn, modifiedOn);
    assert.equal(account.pendingEvents.length, pending);
    assert.equal(account.balance, 0);
  });

  test('calling a decorated method while an event is being applied is a ProgrammingError', () => {
    @aggregate('Started')
    class Game extends Aggregate {
      moves: string[] = [];
      @event('Moved')
      move(to: string): void {
        this.moves.push(to);
        if (to === 'twice') this.move('again');
      }
      @event('Reset')
      reset(): void {
        this.moves = [];
      }
    }
    const game = new Game();
    assert.throws(() => game.move('twice'), {
      name: 'ProgrammingError',
      message: /Cannot call Game\.move while an event is being applied/,
    });
    assert.equal(game.version, 1);
    assert.equal(game.pendingEvents.length, 1);
    // After the error, commands work again (the guard was reset).
    game.move('e4');
    assert.equal(game.version, 2);

    @aggregate
    class Eager extends Aggregate {
      moves: string[] = [];
      constructor() {
        super();
        this.go('now');
      }
      @event('Went')
      go(where: string): void {
        this.moves.push(where);
      }
    }
    assert.throws(() => new Eager(), ProgrammingError);
    // And another aggregate can still be created afterwards.
    assert.equal(new Game().version, 1);
  });
});

describe('@aggregate options', () => {
  test('bare @aggregate names the created event Created', () => {
    @aggregate
    class Kennel extends Aggregate {
      declare static readonly Created: typeof AggregateCreated;
      constructor(
        public city: string,
        public size = 3,
      ) {
        super();
      }
    }
    const kennel = new Kennel('Leeds');
    assert.equal(kennel.size, 3);
    const [created] = kennel.collectEvents();
    assert.equal(created?.constructor, Kennel.Created);
    assert.notEqual(Kennel.Created, AggregateCreated);
    assert.equal(getTopic(Kennel.Created), 'Kennel.Created');
    assert.equal((created as unknown as { city: string }).city, 'Leeds');
    const copy = replay<Kennel>([created as AggregateCreated]);
    assert.equal(copy.city, 'Leeds');
    assert.equal(copy.size, 3);
  });

  test('INITIAL_VERSION = 0 starts the version at 0', () => {
    @aggregate('Begun')
    class Counter extends Aggregate {
      static override INITIAL_VERSION = 0;
      count = 0;
      @event('Incremented')
      increment(): void {
        this.count++;
      }
    }
    const counter = new Counter();
    counter.increment();
    assert.equal(counter.version, 1);
    const events = counter.collectEvents();
    assert.deepEqual(
      events.map((e) => e.originatorVersion),
      [0, 1],
    );
    const copy = replay<Counter>(events);
    assert.equal(copy.version, 1);
    assert.equal(copy.count, 1);
  });

  test('createId receives the constructor arguments, for deterministic ids', () => {
    @aggregate('Registered')
    class Vehicle extends Aggregate {
      static override createId(licencePlate: string): string {
        return uuid5(NAMESPACE_URL, `/vehicles/${licencePlate}`);
      }
      constructor(public licencePlate: string) {
        super();
      }
    }
    const a = new Vehicle('ABC 123');
    const b = new Vehicle('ABC 123');
    assert.equal(a.id, b.id);
    assert.equal(a.id, uuid5(NAMESPACE_URL, '/vehicles/ABC 123'));
    assert.notEqual(new Vehicle('XYZ 789').id, a.id);
  });

  test('non-UUID string ids are allowed; a non-string id is a TypeError', () => {
    @aggregate('Opened')
    class Stream extends Aggregate {
      static override createId(category: string, n: number): string {
        return `${category}-${n}`;
      }
      constructor(
        public category: string,
        public n: number,
      ) {
        super();
      }
    }
    const stream = new Stream('orders', 7);
    assert.equal(stream.id, 'orders-7');
    assert.equal(replay<Stream>(stream.collectEvents()).id, 'orders-7');

    @aggregate('Made')
    class Broken extends Aggregate {
      static override createId(): string {
        return 42 as unknown as string;
      }
    }
    assert.throws(() => new Broken(), {
      name: 'TypeError',
      message: /Broken\.createId\(\) returned 42: an aggregate id must be a non-empty string/,
    });
  });

  test("a constructor parameter named 'id' gives the aggregate's id and is not an event field", () => {
    @aggregate('Named')
    class Page extends Aggregate {
      constructor(
        id: string,
        public title: string,
      ) {
        super();
        assert.equal(this.id, id);
      }
    }
    const page = new Page('page-1', 'Home');
    assert.equal(page.id, 'page-1');
    const [created] = page.collectEvents();
    assert.equal(Object.hasOwn(created as object, 'id'), false);
    const copy = replay<Page>([created as AggregateCreated]);
    assert.equal(copy.id, 'page-1');
    assert.equal(copy.title, 'Home');
  });

  test('a class without its own constructor uses its parent class parameters', () => {
    class Animal extends Aggregate {
      legs: number;
      constructor(legs: number) {
        super();
        this.legs = legs;
      }
    }
    @aggregate('Hatched')
    class Bird extends Animal {
      declare static readonly Flew: typeof AggregateEvent;
      flights = 0;
      @event('Flew')
      fly(): void {
        this.flights++;
      }
    }
    const bird = new Bird(2);
    bird.fly();
    const events = bird.collectEvents();
    assert.equal((events[0] as unknown as { legs: number }).legs, 2);
    const copy = replay<Bird>(events);
    assert.equal(copy.legs, 2);
    assert.equal(copy.flights, 1);
    assert.ok(events[1] instanceof Bird.Flew);
  });

  test('a decorated subclass of a decorated class records only its own created event', () => {
    @aggregate('Registered')
    class Cat extends Aggregate {
      constructor(public name: string) {
        super();
      }
      @event('Fed')
      feed(food: string): void {
        this.food = food;
      }
      food = '';
    }
    @aggregate('Adopted')
    class HouseCat extends Cat {
      declare static readonly Adopted: typeof AggregateCreated;
      constructor(
        name: string,
        public owner: string,
      ) {
        super(name);
      }
    }
    const cat = new HouseCat('Tom', 'Ann');
    cat.feed('fish');
    const events = cat.collectEvents();
    assert.equal(events.length, 2);
    assert.ok(events[0] instanceof HouseCat.Adopted);
    assert.equal((events[0] as AggregateCreated).originatorTopic, 'HouseCat');
    const copy = replay<HouseCat>(events);
    assert.ok(copy instanceof HouseCat);
    assert.deepEqual([copy.name, copy.owner, copy.food], ['Tom', 'Ann', 'fish']);

    class Kitten extends Cat {}
    assert.throws(() => new Kitten('x'), {
      name: 'TypeError',
      message: /Kitten extends the @aggregate class Cat but is not decorated with @aggregate/,
    });
  });

  test('explicit event classes and static factories inside an @aggregate class', () => {
    @aggregate('Registered')
    class Cow extends Aggregate {
      static Mooed = class Mooed extends AggregateEvent {
        declare readonly times: number;
        override apply(cow: Cow): void {
          cow.moos += this.times;
        }
      };
      moos = 0;
      constructor(public name: string) {
        super();
      }
      static register(name: string): Cow {
        // 'new this': esbuild binds the class name inside the body to the undecorated class.
        return new this(name);
      }
      moo(times: number): void {
        this.triggerEvent(Cow.Mooed, { times });
      }
    }
    const cow = Cow.register('Daisy');
    cow.moo(2);
    assert.equal(cow.moos, 2);
    const events = cow.collectEvents();
    assert.equal(getTopic(Cow.Mooed), 'Cow.Mooed');
    assert.equal(resolveTopic('Cow.Mooed'), Cow.Mooed);
    const copy = replay<Cow>(events);
    assert.deepEqual([copy.name, copy.moos, copy.version], ['Daisy', 2, 2]);
  });

  test('a static topic on the aggregate or an event class overrides the default', () => {
    class Barked extends AggregateEvent {
      static topic = 'dogs:Puppy.Barked';
    }
    @aggregate('Born')
    class Puppy extends Aggregate {
      static topic = 'dogs:Puppy';
      declare static readonly Born: typeof AggregateCreated;
      @event(Barked)
      bark(): void {}
    }
    const puppy = new Puppy();
    puppy.bark();
    assert.equal(getTopic(Puppy), 'dogs:Puppy');
    assert.equal(resolveTopic('dogs:Puppy'), Puppy);
    assert.equal((puppy.pendingEvents[0] as AggregateCreated).originatorTopic, 'dogs:Puppy');
    assert.equal(getTopic(Puppy.Born), 'dogs:Puppy.Born');
    assert.equal(getTopic(Barked), 'dogs:Puppy.Barked');
    assert.equal(replay<Puppy>(puppy.collectEvents()).version, 2);
  });

  test('defining a second class with the same topic is a TopicError naming both', () => {
    const define = () => {
      @aggregate('Registered')
      class Dog extends Aggregate {}
      return Dog;
    };
    assert.throws(define, {
      name: 'TopicError',
      message: /Topic 'Dog' is already registered for class Dog/,
    });
    assert.ok(TopicError);
  });
});

describe('@event forms', () => {
  test('@event(EventClass) uses the given class, fields named after the parameters', () => {
    class Renamed extends AggregateEvent {
      declare readonly newName: string;
    }
    @aggregate('Registered')
    class Parrot extends Aggregate {
      declare static readonly Renamed: typeof Renamed;
      constructor(public name: string) {
        super();
      }
      @event(Renamed)
      rename(newName: string): void {
        this.name = newName;
      }
    }
    const parrot = new Parrot('Polly');
    parrot.rename('Pete');
    const events = parrot.collectEvents();
    assert.ok(events[1] instanceof Renamed);
    assert.equal((events[1] as Renamed).newName, 'Pete');
    assert.equal(Parrot.Renamed, Renamed);
    assert.equal(getTopic(Renamed), 'Parrot.Renamed');
    assert.equal(replay<Parrot>(events).name, 'Pete');
  });

  test('bare @event names the event after the method', () => {
    @aggregate('Registered')
    class Hamster extends Aggregate {
      declare static readonly RunWheel: typeof AggregateEvent;
      laps = 0;
      @event
      runWheel(laps: number): void {
        this.laps += laps;
      }
    }
    const hamster = new Hamster();
    hamster.runWheel(3);
    assert.ok(hamster.pendingEvents[1] instanceof Hamster.RunWheel);
    assert.equal(getTopic(Hamster.RunWheel), 'Hamster.RunWheel');
  });

  test('event classes extend the aggregate’s own Event class when it declares one', () => {
    const applied: string[] = [];
    @aggregate('Registered')
    class Horse extends Aggregate {
      static override Event = class extends AggregateEvent {
        override mutate<A extends Aggregate>(aggregate: A | null): A | null {
          applied.push(this.constructor.name);
          return super.mutate(aggregate);
        }
      };
      declare static readonly Galloped: typeof AggregateEvent;
      @event('Galloped')
      gallop(): void {}
    }
    const horse = new Horse();
    horse.gallop();
    assert.ok(horse.pendingEvents[1] instanceof Horse.Event);
    assert.deepEqual(applied, ['Galloped']);
    assert.equal(getTopic(Horse.Event), 'Horse.Event');
  });

  test('@event on a setter triggers an event from the assigned value', () => {
    @aggregate('Issued')
    class Invoice extends Aggregate {
      declare static readonly NumberUpdated: typeof AggregateEvent;
      declare static readonly AmountUpdated: typeof AggregateEvent;
      private _number: string;
      private _amount = 0;
      constructor(number: string) {
        super();
        this._number = number;
      }
      get number(): string {
        return this._number;
      }
      @event('NumberUpdated')
      set number(value: string) {
        this._number = value;
      }
      get amount(): number {
        return this._amount;
      }
      @event('AmountUpdated')
      set amount(amount: number) {
        if (amount < 0) throw new RangeError('negative amount');
        this._amount = amount;
      }
    }
    const invoice = new Invoice('INV-1');
    invoice.number = 'INV-2';
    invoice.amount = 30;
    assert.equal(invoice.number, 'INV-2');
    assert.equal(invoice.amount, 30);
    assert.equal(invoice.version, 3);
    assert.throws(() => {
      invoice.amount = -1;
    }, RangeError);
    assert.equal(invoice.version, 3);
    const events = invoice.collectEvents();
    assert.ok(events[1] instanceof Invoice.NumberUpdated);
    assert.equal((events[1] as unknown as { value: string }).value, 'INV-2');
    assert.equal((events[2] as unknown as { amount: number }).amount, 30);
    const copy = replay<Invoice>(events);
    assert.equal(copy.number, 'INV-2');
    assert.equal(copy.amount, 30);
  });

  test('a timestamp constructor parameter sets the created event and createdOn alike', () => {
    @aggregate('Opened')
    class BackdatedAccount extends Aggregate {
      owner: string;
      constructor(owner: string, timestamp?: Date) {
        super();
        this.owner = owner;
        void timestamp;
      }
    }
    const when = new Date('2020-01-01T00:00:00Z');
    const account = new BackdatedAccount('x', when);
    assert.equal(account.createdOn, when);
    assert.equal(account.modifiedOn, when);
    const events = account.collectEvents();
    assert.equal(events[0]?.timestamp, when);
    const copy = replay<BackdatedAccount>(events);
    assert.equal(copy.createdOn.getTime(), when.getTime());
    const now = new BackdatedAccount('y');
    assert.ok(Math.abs(now.createdOn.getTime() - Date.now()) < 60_000);
  });

  test('a timestamp parameter reads and sets the event timestamp', () => {
    @aggregate('Opened')
    class Ledger extends Aggregate {
      entries: [string, Date][] = [];
      @event('Entered')
      enter(text: string, timestamp?: Date): void {
        this.entries.push([text, timestamp as Date]);
      }
    }
    const ledger = new Ledger();
    const when = new Date('2020-01-01T00:00:00Z');
    ledger.enter('given', when);
    ledger.enter('now');
    const events = ledger.collectEvents();
    assert.equal(events[1]?.timestamp, when);
    assert.equal(ledger.entries[0]?.[1], when);
    assert.equal(ledger.entries[1]?.[1], events[2]?.timestamp);
    assert.ok(ledger.entries[1]?.[1] instanceof Date);
    assert.deepEqual(replay<Ledger>(events).entries, ledger.entries);
  });

  test('optional parameters left undefined are not stored, and replay gets the default', () => {
    @aggregate('Opened')
    class Shop extends Aggregate {
      items: string[] = [];
      @event('Stocked')
      stock(item: string, count = 1): void {
        for (let i = 0; i < count; i++) this.items.push(item);
      }
    }
    const shop = new Shop();
    shop.stock('apple');
    shop.stock('pear', 2);
    const events = shop.collectEvents();
    assert.equal(Object.hasOwn(events[1] as object, 'count'), false);
    assert.equal((events[2] as unknown as { count: number }).count, 2);
    assert.deepEqual(replay<Shop>(events).items, ['apple', 'pear', 'pear']);
  });
});

describe('bad uses are errors at definition time', () => {
  test('@aggregate on a class that does not extend Aggregate', () => {
    assert.throws(
      () => {
        // @ts-expect-error: @aggregate needs an Aggregate subclass.
        @aggregate('Registered')
        class Plain {}
        return Plain;
      },
      { name: 'TypeError', message: /@aggregate requires a class that extends Aggregate/ },
    );
  });

  test('empty names and bad arguments', () => {
    assert.throws(() => event(''), { name: 'TypeError', message: /empty event name/ });
    assert.throws(() => aggregate(''), { name: 'TypeError', message: /empty event name/ });
    assert.throws(() => event(42 as unknown as string), {
      name: 'TypeError',
      message: /takes an event class name \(a string\) or an event class/,
    });
    assert.throws(() => event(class NotAnEvent {} as unknown as string), TypeError);
    assert.throws(() => event(AggregateCreated), {
      name: 'TypeError',
      message: /is a "created" event class/,
    });
    assert.throws(() => aggregate(AggregateEvent as unknown as string), {
      name: 'TypeError',
      message: /created event name \(a string\) or a created event class/,
    });
  });

  test('@event on a getter, a static method, or a setter without a name', () => {
    assert.throws(
      () => {
        class A extends Aggregate {
          // @ts-expect-error: getters cannot be decorated with @event.
          @event('Got')
          get x(): number {
            return 1;
          }
        }
        return A;
      },
      { name: 'TypeError', message: /@event cannot decorate a getter/ },
    );
    assert.throws(
      () => {
        class B extends Aggregate {
          @event('Done')
          static doIt(): void {}
        }
        return B;
      },
      { name: 'TypeError', message: /@event cannot decorate a static method/ },
    );
    assert.throws(
      () => {
        class C extends Aggregate {
          // @ts-expect-error: a setter needs an event name.
          @event
          set y(_value: number) {}
        }
        return C;
      },
      { name: 'TypeError', message: /@event on a setter needs an event name/ },
    );
  });

  test('rest or destructured parameters point to explicit event classes', () => {
    assert.throws(
      () => {
        class D extends Aggregate {
          @event('Many')
          many(...items: string[]): void {
            void items;
          }
        }
        return D;
      },
      { name: 'TypeError', message: /found a rest parameter.*explicit event class/s },
    );
    assert.throws(
      () => {
        class E extends Aggregate {
          @event('Destructured')
          destructured({ a }: { a: number }): void {
            void a;
          }
        }
        return E;
      },
      { name: 'TypeError', message: /found a destructured parameter/ },
    );
    assert.throws(
      () => {
        @aggregate('Registered')
        class F extends Aggregate {
          constructor(...names: string[]) {
            super();
            void names;
          }
        }
        return F;
      },
      {
        name: 'TypeError',
        message: /@aggregate on F: cannot name the created event's fields .*rest parameter/s,
      },
    );
  });

  test('one event class used by two methods, or one name used twice', () => {
    class Shared extends AggregateEvent {}
    assert.throws(
      () => {
        @aggregate('Registered')
        class G extends Aggregate {
          @event(Shared)
          one(): void {}
          @event(Shared)
          two(): void {}
        }
        return G;
      },
      { name: 'TypeError', message: /Shared event class used in more than one decorator/ },
    );
    assert.throws(
      () => {
        @aggregate('Registered')
        class H extends Aggregate {
          @event('Registered')
          again(): void {}
        }
        return H;
      },
      { name: 'TypeError', message: /the event name 'Registered' is used twice/ },
    );
  });

  test('a name already used on the class', () => {
    assert.throws(
      () => {
        @aggregate('Registered')
        class I extends Aggregate {
          static Moved = 'not an event';
          @event('Moved')
          move(): void {}
        }
        return I;
      },
      { name: 'TypeError', message: /the name 'Moved' is already used on class I/ },
    );
    assert.throws(
      () => {
        @aggregate('Registered')
        class J extends Aggregate {
          static Registered = 'not an event';
        }
        return J;
      },
      { name: 'TypeError', message: /J\.Registered is already defined and is not a created event/ },
    );
  });

  test('a class with @event members but no @aggregate throws on first construction', () => {
    class Forgetful extends Aggregate {
      @event('Forgot')
      forget(): void {}
    }
    assert.throws(() => new Forgetful(), {
      name: 'TypeError',
      message: /Forgetful has @event members \(forget\) but is not decorated with @aggregate/,
    });
  });

  test('an explicit created event class declared as a static is used by @aggregate', () => {
    @aggregate('Registered')
    class Ferret extends Aggregate {
      static Registered = class extends AggregateCreated {
        declare readonly name: string;
      };
      constructor(public name: string) {
        super();
      }
    }
    const ferret = new Ferret('Fred');
    const [created] = ferret.collectEvents();
    assert.ok(created instanceof Ferret.Registered);
    assert.equal(getTopic(Ferret.Registered), 'Ferret.Registered');
    assert.equal(replay<Ferret>([created as AggregateCreated]).name, 'Fred');
  });
});
