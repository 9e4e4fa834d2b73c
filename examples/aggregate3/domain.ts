/**
 * Aggregate 3, explicit trigger and apply: no decorators. Commands call `triggerEvent` with an
 * explicit event class; every event's `apply` hands the event to the dog's `when`, which changes
 * the dog's state according to the event's class (Python's `singledispatchmethod`).
 */
import { Aggregate, type DomainEvent, registerAggregate } from 'eventsourcing/domain';

/** A dog: registered with a name, then taught tricks. */
export class Dog extends Aggregate {
  /** The base class of the dog's events: each applies itself through `Dog.when`. */
  static override Event = class Event extends Aggregate.Event {
    override apply(dog: Dog): void {
      dog.when(this);
    }
  };

  /** A dog was registered (a created event, so it also applies itself through `when`). */
  static Registered = class Registered extends Aggregate.Created {
    declare readonly name: string;
    override apply(dog: Dog): void {
      dog.when(this);
    }
  };

  /** A dog learned a trick. */
  static TrickAdded = class TrickAdded extends Dog.Event {
    declare readonly trick: string;
  };

  name = '';
  tricks: string[] = [];

  /** Registers a new dog. */
  static register(name: string): Dog {
    return Dog._create(Dog.Registered, { name });
  }

  /** Teaches the dog a trick. */
  addTrick(trick: string): void {
    this.triggerEvent(Dog.TrickAdded, { trick });
  }

  /** Applies an event to the dog, by its class. */
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

// Undecorated aggregate classes register their topics themselves: the class and its static
// event classes (aggregate3:Dog, aggregate3:Dog.Registered, aggregate3:Dog.TrickAdded).
registerAggregate(Dog, 'aggregate3:Dog');
