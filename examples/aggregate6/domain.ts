/**
 * Aggregate 6, functional style: a `Dog` is immutable data without methods. Commands are
 * functions that take a dog and return an event; `projectDog` folds events into dogs. Neither
 * the dog nor its events know how to apply themselves: the repository is given `projectDog`.
 */
import { randomUUID } from 'node:crypto';
import { DomainEvent, type ProjectorFunction, Snapshot } from 'eventsourcing/domain';

/** A dog: registered with a name, then taught tricks. Frozen data, no methods. */
export class Dog {
  /** Names the class in storage (snapshots record it). */
  static readonly topic = 'aggregate6:Dog';

  constructor(
    readonly id: string,
    readonly version: number,
    readonly name: string,
    readonly tricks: readonly string[],
  ) {
    Object.freeze(this);
  }
}

/** A dog was registered. */
export class DogRegistered extends DomainEvent {
  static readonly topic = 'aggregate6:Dog.Registered';
  declare readonly name: string;
}

/** A dog learned a trick. */
export class TrickAdded extends DomainEvent {
  static readonly topic = 'aggregate6:Dog.TrickAdded';
  declare readonly trick: string;
}

/** The event that registers a new dog. */
export function registerDog(name: string): DogRegistered {
  return DogRegistered.create({ originatorId: randomUUID(), originatorVersion: 1, name });
}

/** The event that teaches a dog a trick. */
export function addTrick(dog: Dog, trick: string): TrickAdded {
  return TrickAdded.create({ originatorId: dog.id, originatorVersion: dog.version + 1, trick });
}

/** Applies one event (or a snapshot) to a dog, returning a new dog. */
export function mutateDog(dog: Dog | null, event: DomainEvent): Dog {
  if (event instanceof DogRegistered) {
    return new Dog(event.originatorId, event.originatorVersion, event.name, []);
  }
  if (event instanceof TrickAdded && dog !== null) {
    return new Dog(dog.id, event.originatorVersion, dog.name, [...dog.tricks, event.trick]);
  }
  if (event instanceof Snapshot) {
    const { name, tricks } = event.state as { name: string; tricks: string[] };
    return new Dog(event.originatorId, event.originatorVersion, name, tricks);
  }
  throw new TypeError(
    `Cannot apply ${event.constructor.name} to ${dog === null ? 'no dog' : 'a dog'}`,
  );
}

/** Folds events into a dog: give it to `repository.get` and `takeSnapshot` as `projector`. */
export const projectDog: ProjectorFunction<Dog, DomainEvent> = (dog, events) => {
  for (const event of events) dog = mutateDog(dog, event);
  return dog;
};
