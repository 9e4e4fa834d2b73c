/**
 * The dog school application of aggregate 5: commands return events, and the application saves
 * those events. Dogs are reconstructed by the default projector, since their events can mutate.
 */
import { Application } from 'eventsourcing/application';
import { Dog } from './domain.js';

/** What `getDog` returns. */
export interface DogView {
  readonly name: string;
  readonly tricks: readonly string[];
}

/** Registers dogs, teaches them tricks, and tells what a dog can do. */
export class DogSchool extends Application {
  static override isSnapshottingEnabled = true;

  async registerDog(name: string): Promise<string> {
    const registered = Dog.register(name);
    await this.save(registered);
    return registered.originatorId;
  }

  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get<Dog>(dogId);
    await this.save(dog.addTrick(trick));
  }

  async getDog(dogId: string): Promise<DogView> {
    const dog = await this.repository.get<Dog>(dogId);
    return { name: dog.name, tricks: dog.tricks };
  }
}
