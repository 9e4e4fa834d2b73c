/**
 * The dog school application of aggregate 6: it calls the command functions, saves the events
 * they return, and gives `projectDog` to the repository. Snapshots use the library's `Snapshot`
 * class (the dog has no snapshot class of its own) and `projectDog` reads them back.
 */
import { Application } from 'eventsourcing/application';
import { Snapshot } from 'eventsourcing/domain';
import { addTrick, projectDog, registerDog } from './domain.js';

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
    const registered = registerDog(name);
    await this.save(registered);
    return registered.originatorId;
  }

  async addTrick(dogId: string, trick: string): Promise<void> {
    const dog = await this.repository.get(dogId, { projector: projectDog });
    await this.save(addTrick(dog, trick));
  }

  async getDog(dogId: string): Promise<DogView> {
    const dog = await this.repository.get(dogId, { projector: projectDog });
    return { name: dog.name, tricks: dog.tricks };
  }
}
