/** The dog school application of aggregate 3: the same as aggregate 1, but `Dog.register`. */
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
    const dog = Dog.register(name);
    await this.save(dog);
    return dog.id;
  }

  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get<Dog>(dogId);
    dog.addTrick(trick);
    await this.save(dog);
  }

  async getDog(dogId: string): Promise<DogView> {
    const dog = await this.repository.get<Dog>(dogId);
    return { name: dog.name, tricks: [...dog.tricks] };
  }
}
