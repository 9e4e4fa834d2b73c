/**
 * The application of the README's synopsis: a dog school that registers dogs and teaches them
 * tricks. The demo and the tests use it.
 */

import { Application } from 'eventsourcing/application';
import { Aggregate, aggregate, event } from 'eventsourcing/domain';

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

export class DogSchool extends Application {
  async registerDog(name: string): Promise<string> {
    const dog = new Dog(name);
    await this.save(dog);
    return dog.id;
  }

  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get<Dog>(dogId);
    dog.addTrick(trick);
    await this.save(dog);
  }

  async getDog(dogId: string): Promise<{ name: string; tricks: string[] }> {
    const dog = await this.repository.get<Dog>(dogId);
    return { name: dog.name, tricks: [...dog.tricks] };
  }
}
