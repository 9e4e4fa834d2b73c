/**
 * Aggregate 2, explicit event classes: the same dog as aggregate 1, but each event class is
 * written out, with typed fields, and given to the decorators. The decorators still name the
 * fields after the parameters, and the bodies are still how the events are applied.
 *
 * The event classes are defined before the aggregate class because decorator arguments are
 * evaluated before the class exists (`@event(Dog.TrickAdded)` inside `Dog` would throw). The
 * decorators make them statics of `Dog`, with topics `aggregate2:Dog.Registered` and so on.
 */
import { Aggregate, aggregate, event } from 'eventsourcing/domain';

/** A dog was registered. */
class Registered extends Aggregate.Created {
  declare readonly name: string;
}

/** A dog learned a trick. */
class TrickAdded extends Aggregate.Event {
  declare readonly trick: string;
}

/** A dog: registered with a name, then taught tricks. */
@aggregate(Registered)
export class Dog extends Aggregate {
  /** Names the class in storage (the default is 'Dog'; each example has its own). */
  static topic = 'aggregate2:Dog';
  declare static readonly Registered: typeof Registered;
  declare static readonly TrickAdded: typeof TrickAdded;

  name: string;
  tricks: string[] = [];

  constructor(name: string) {
    super();
    this.name = name;
  }

  @event(TrickAdded)
  addTrick(trick: string): void {
    this.tricks.push(trick);
  }
}
