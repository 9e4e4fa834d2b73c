/**
 * Aggregate 4, custom base classes: the dog extends this example's own `Aggregate` (base.ts),
 * not the library's. Commands trigger explicit events; `apply` changes the state by event class.
 */
import { Aggregate, DomainEvent, projectorFor } from './base.js';

/** A dog: registered with a name, then taught tricks. */
export class Dog extends Aggregate {
  /** A dog was registered. */
  static Registered = class Registered extends DomainEvent {
    static readonly topic = 'aggregate4:Dog.Registered';
    declare readonly name: string;
  };

  /** A dog learned a trick. */
  static TrickAdded = class TrickAdded extends DomainEvent {
    static readonly topic = 'aggregate4:Dog.TrickAdded';
    declare readonly trick: string;
  };

  /** Reconstructs dogs from their events (and snapshots). */
  static projector = projectorFor(Dog);

  name = '';
  tricks: string[] = [];

  /** Registers a new dog. */
  static register(name: string): Dog {
    const dog = new Dog();
    dog.triggerEvent(Dog.Registered, { name });
    return dog;
  }

  /** Teaches the dog a trick. */
  addTrick(trick: string): void {
    this.triggerEvent(Dog.TrickAdded, { trick });
  }

  protected apply(event: DomainEvent): void {
    if (event instanceof Dog.Registered) {
      this.name = event.name;
    } else if (event instanceof Dog.TrickAdded) {
      this.tricks.push(event.trick);
    } else {
      throw new TypeError(`Dog cannot apply ${event.constructor.name}`);
    }
  }
}
