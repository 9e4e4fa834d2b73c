/**
 * The W1 application: the dog school of the README, written as a user would write it (an
 * `Application` subclass over a decorated aggregate), so that the benchmark measures the public API.
 */
import { Application } from 'eventsourcing/application';
import { Aggregate, aggregate, event } from 'eventsourcing/domain';

/** The W1 aggregate: one `Dog.Registered` event, then one `Dog.TrickAdded` event per trick. */
@aggregate('Registered')
export class Dog extends Aggregate {
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

/** The W1 application: register, addTrick (get + command + save), getDog. */
export class DogSchool extends Application {
  /** Sections as large as the benchmark's pages, so the log is read in pages of that size. */
  static override logSectionSize = 1000;

  /** Registers a dog (one event, one save) and returns its id. */
  async registerDog(name: string): Promise<string> {
    const dog = new Dog(name);
    await this.save(dog);
    return dog.id;
  }

  /** One W1 command: get the dog, add a trick, save. */
  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get<Dog>(dogId);
    dog.addTrick(trick);
    await this.save(dog);
  }

  /** One W1 query: the dog's name and tricks. */
  async getDog(dogId: string): Promise<{ name: string; tricks: string[] }> {
    const dog = await this.repository.get<Dog>(dogId);
    return { name: dog.name, tricks: [...dog.tricks] };
  }
}

/** The dog school with snapshots stored (for the snapshot timing). */
export class SnapshottingDogSchool extends DogSchool {
  static override isSnapshottingEnabled = true;
}

/**
 * A subclass of `base` whose application name is `name`: PostgreSQL tables are prefixed by the
 * application name, so each run gets fresh tables.
 */
export function namedApplication(base: typeof DogSchool, name: string): typeof DogSchool {
  const cls = class extends base {};
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
