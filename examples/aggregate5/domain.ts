/**
 * Aggregate 5, immutable aggregate: a `Dog` is frozen. Its commands change nothing: they return
 * new events. Each event's `mutate` builds a new `Dog` from the previous one, so the library's
 * default projector (which calls `event.mutate`) reconstructs dogs without being told how.
 */
import { randomUUID } from 'node:crypto';
import { DomainEvent, Snapshot } from 'eventsourcing/domain';

/** A dog's state. */
interface DogFields {
  readonly id: string;
  readonly version: number;
  readonly createdOn: Date;
  readonly modifiedOn: Date;
  readonly name: string;
  readonly tricks: readonly string[];
}

/** A dog: registered with a name, then taught tricks. Frozen: events make new dogs. */
export class Dog implements DogFields {
  static readonly topic = 'aggregate5:Dog';

  /** The snapshot class `Application.takeSnapshot` uses for dogs: it rebuilds frozen dogs. */
  static readonly Snapshot = class DogSnapshot extends Snapshot {
    static readonly topic = 'aggregate5:Dog.Snapshot';
    override mutate<A = Dog>(): A {
      return new Dog({ ...super.mutate<Dog>() }) as A;
    }
  };

  declare readonly id: string;
  declare readonly version: number;
  declare readonly createdOn: Date;
  declare readonly modifiedOn: Date;
  declare readonly name: string;
  declare readonly tricks: readonly string[];

  constructor(fields: DogFields) {
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** Returns the event that registers a new dog. */
  static register(name: string): Registered {
    return Registered.create({ originatorId: randomUUID(), originatorVersion: 1, name });
  }

  /** Returns the event that teaches this dog a trick. */
  addTrick(trick: string): TrickAdded {
    return TrickAdded.create({ originatorId: this.id, originatorVersion: this.version + 1, trick });
  }
}

/** A dog was registered: it makes the first `Dog`. */
export class Registered extends DomainEvent {
  static readonly topic = 'aggregate5:Dog.Registered';
  declare readonly name: string;

  mutate(_dog: Dog | null): Dog {
    return new Dog({
      id: this.originatorId,
      version: this.originatorVersion,
      createdOn: this.timestamp,
      modifiedOn: this.timestamp,
      name: this.name,
      tricks: [],
    });
  }
}

/** A dog learned a trick: it makes a new `Dog` with one more trick. */
export class TrickAdded extends DomainEvent {
  static readonly topic = 'aggregate5:Dog.TrickAdded';
  declare readonly trick: string;

  mutate(dog: Dog | null): Dog {
    if (dog === null) throw new TypeError('A trick can only be added to a registered dog');
    return new Dog({
      ...dog,
      version: this.originatorVersion,
      modifiedOn: this.timestamp,
      tricks: [...dog.tricks, this.trick],
    });
  }
}
