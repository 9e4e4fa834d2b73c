/**
 * The dog school application of aggregate 4: the repository is given the dog's projector,
 * because these events cannot apply themselves, and the application its own snapshot class.
 */
import { Application } from 'eventsourcing/application';
import { Snapshot } from './base.js';
import { Dog } from './domain.js';

/** What `getDog` returns. */
export interface DogView {
  readonly name: string;
  readonly tricks: readonly string[];
}

/** Registers dogs, teaches them tricks, and tells what a dog can do. */
export class DogSchool extends Application {
  static override isSnapshottingEnabled = true;
  static override snapshotClass = Snapshot;

  async registerDog(name: string): Promise<string> {
    const dog = Dog.register(name);
    await this.save(dog);
    return dog.id;
  }

  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get(dogId, { projector: Dog.projector });
    dog.addTrick(trick);
    await this.save(dog);
  }

  async getDog(dogId: string): Promise<DogView> {
    const dog = await this.repository.get(dogId, { projector: Dog.projector });
    return { name: dog.name, tricks: [...dog.tricks] };
  }
}
