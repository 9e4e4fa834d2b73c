/** Aggregate 6, functional style: the dog school, end to end, with a projector function. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DomainEvent, ProgrammingError, Snapshot } from 'eventsourcing/domain';
import { IntegrityError } from 'eventsourcing/persistence';
import { DogSchool } from '../../examples/aggregate6/application.js';
import {
  addTrick,
  Dog,
  DogRegistered,
  projectDog,
  registerDog,
  TrickAdded,
} from '../../examples/aggregate6/domain.js';
import { recordingProjector, versions } from './helpers.js';

describe('aggregate6: functional style', () => {
  test('functions make events, and the projector folds them into new frozen dogs', () => {
    const registered = registerDog('Fido');
    const dog = projectDog(null, [registered]);
    assert.ok(dog !== null);
    const added = addTrick(dog, 'roll over');
    const taught = projectDog(dog, [added]);
    assert.deepEqual(taught, new Dog(dog.id, 2, 'Fido', ['roll over']));
    assert.ok(Object.isFrozen(taught));
    assert.deepEqual(dog.tricks, [], 'the earlier dog is unchanged');
    assert.equal(projectDog(null, []), null);
    assert.throws(() => projectDog(null, [added]), /Cannot apply TrickAdded to no dog/);
  });

  test('registers a dog, teaches it tricks, and reconstructs it with projectDog', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over', 'play dead'] });

    const dog = await app.repository.get(id, { projector: projectDog });
    assert.deepEqual(dog, new Dog(id, 3, 'Fido', ['roll over', 'play dead']));
    const young = await app.repository.get(id, { projector: projectDog, version: 2 });
    assert.deepEqual(young.tricks, ['roll over']);

    const [registered, added] = await app.events.get<DomainEvent>(id);
    assert.ok(registered instanceof DogRegistered);
    assert.ok(added instanceof TrickAdded);
    assert.equal(added.trick, 'roll over');

    const log = await app.notificationLog.select(1, 10);
    assert.deepEqual(
      log.map((n) => [n.id, n.originatorVersion, n.topic]),
      [
        [1, 1, 'aggregate6:Dog.Registered'],
        [2, 2, 'aggregate6:Dog.TrickAdded'],
        [3, 3, 'aggregate6:Dog.TrickAdded'],
      ],
    );
  });

  test('without the projector the repository cannot apply these events, and says so', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await assert.rejects(app.repository.get(id), {
      name: ProgrammingError.name,
      message: /Pass a projector function/,
    });
  });

  test('two events made from the same dog conflict: an IntegrityError, nothing recorded', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    const dog = await app.repository.get(id, { projector: projectDog });
    await app.save(addTrick(dog, 'roll over'));
    await assert.rejects(app.save(addTrick(dog, 'play dead')), IntegrityError);
    assert.deepEqual((await app.getDog(id)).tricks, ['roll over']);
  });

  test('takeSnapshot with the projector stores a snapshot, and get starts from it', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    await app.takeSnapshot(id, { projector: projectDog });
    await app.addTrick(id, 'fetch ball');

    const snapshots = (await app.snapshots?.get(id)) ?? [];
    assert.deepEqual(versions(snapshots), [3]);
    const snapshot = snapshots[0];
    assert.ok(snapshot instanceof Snapshot);
    assert.equal(snapshot.topic, 'aggregate6:Dog');
    assert.deepEqual(snapshot.state, { name: 'Fido', tricks: ['roll over', 'play dead'] });

    // The projector is given the snapshot, then only the event recorded after it.
    const { projector, calls } = recordingProjector(projectDog);
    const dog = await app.repository.get(id, { projector });
    assert.ok(calls[0]?.[0] instanceof Snapshot);
    assert.deepEqual(versions(calls[1] ?? []), [4]);
    assert.deepEqual(dog, new Dog(id, 4, 'Fido', ['roll over', 'play dead', 'fetch ball']));
    assert.ok(Object.isFrozen(dog));

    // A snapshot at an earlier version serves gets at and after that version.
    await app.takeSnapshot(id, { projector: projectDog, version: 2 });
    assert.deepEqual(versions((await app.snapshots?.get(id)) ?? []), [2, 3]);
    const atTwo = await app.repository.get(id, { projector: projectDog, version: 2 });
    assert.deepEqual(atTwo, new Dog(id, 2, 'Fido', ['roll over']));
  });
});
