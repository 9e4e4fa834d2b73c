// Shared by the telemetry tests: a dog school, as in the README.
import { Application } from '../../src/application/application.js';
import { Aggregate, aggregate, event } from '../../src/domain/index.js';

@aggregate('Registered')
export class TelemetryDog extends Aggregate {
  static readonly topic = 'telemetry-tests:Dog';
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

export class TelemetrySchool extends Application {
  async registerDog(name: string): Promise<string> {
    const dog = new TelemetryDog(name);
    await this.save(dog);
    return dog.id;
  }

  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get<TelemetryDog>(dogId);
    dog.addTrick(trick);
    await this.save(dog);
  }
}

/** A subclass of `cls` with another (static) name: unique table and environment names per test. */
export function named<C extends abstract new (...args: never[]) => unknown>(
  cls: C,
  name: string,
): C {
  const sub = class extends (cls as unknown as new (...args: never[]) => object) {};
  Object.defineProperty(sub, 'name', { value: name });
  return sub as unknown as C;
}
