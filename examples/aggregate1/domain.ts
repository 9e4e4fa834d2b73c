/**
 * Aggregate 1, declarative syntax: the constructor and the `@event` methods define the events.
 * Event fields are named after the parameters; each body is how its event is applied, when the
 * command runs and again whenever the dog is reconstructed from its events.
 */
import {
  Aggregate,
  type AggregateCreated,
  type AggregateEvent,
  aggregate,
  event,
} from 'eventsourcing/domain';

/** A dog: registered with a name, then taught tricks. */
@aggregate('Registered')
export class Dog extends Aggregate {
  /** Names the class in storage (the default is 'Dog'; each example has its own). */
  static topic = 'aggregate1:Dog';
  // Added by the decorators; declared so that typed code can use them.
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
