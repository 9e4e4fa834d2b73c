/** Aggregate 5, immutable aggregate: the dog school, end to end, with frozen dogs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { projectAggregate } from 'eventsourcing/application';
import type { DomainEvent } from 'eventsourcing/domain';
import { IntegrityError } from 'eventsourcing/persistence';
import { DogSchool } from '../../examples/aggregate5/application.js';
import { Dog, Registered, TrickAdded } from '../../examples/aggregate5/domain.js';
import { recordingProjector, versions } from './helpers.js';

describe('aggregate5: immutable aggregate', () => {
  test('commands return events, and each event makes a new frozen dog', () => {
    const registered = Dog.register('Fido');
    const dog = registered.mutate(null);
    const added = dog.addTrick('roll over');
    const taught = added.mutate(dog);
    assert.ok(Object.isFrozen(dog) && Object.isFrozen(taught) && Object.isFrozen(added));
    assert.deepEqual([dog.version, dog.tricks], [1, []], 'the command changed nothing');
    assert.deepEqual([taught.id, taught.version, taught.tricks], [dog.id, 2, ['roll over']]);
    assert.deepEqual(
      [taught.createdOn, taught.modifiedOn],
      [registered.timestamp, added.timestamp],
    );
    assert.throws(() => added.mutate(null), /only be added to a registered dog/);
  });

  test('registers a dog, teaches it tricks, and reconstructs it with the default projector', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over', 'play dead'] });

    const dog = await app.repository.get<Dog>(id);
    assert.ok(dog instanceof Dog);
    assert.ok(Object.isFrozen(dog));
    assert.deepEqual([dog.id, dog.version], [id, 3]);

    const [registered, added, last] = await app.events.get<DomainEvent>(id);
    assert.ok(registered instanceof Registered);
    assert.ok(added instanceof TrickAdded);
    assert.equal(added.trick, 'roll over');
    assert.deepEqual([dog.createdOn, dog.modifiedOn], [registered.timestamp, last?.timestamp]);
    assert.deepEqual((await app.repository.get<Dog>(id, { version: 2 })).tricks, ['roll over']);

    const log = await app.notificationLog.select(1, 10);
    assert.deepEqual(
      log.map((n) => [n.id, n.originatorVersion, n.topic]),
      [
        [1, 1, 'aggregate5:Dog.Registered'],
        [2, 2, 'aggregate5:Dog.TrickAdded'],
        [3, 3, 'aggregate5:Dog.TrickAdded'],
      ],
    );
  });

  test('two events made from the same dog conflict: an IntegrityError, nothing recorded', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    const dog = await app.repository.get<Dog>(id);
    await app.save(dog.addTrick('roll over'));
    await assert.rejects(app.save(dog.addTrick('play dead')), IntegrityError);
    assert.deepEqual((await app.getDog(id)).tricks, ['roll over']);
  });

  test("a snapshot is taken with the dog's snapshot class, and rebuilds a frozen dog", async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.takeSnapshot(id);

    const snapshots = (await app.snapshots?.get(id)) ?? [];
    assert.deepEqual(versions(snapshots), [2]);
    assert.ok(snapshots[0] instanceof Dog.Snapshot);

    // Only the snapshot is needed: no event follows it yet.
    const { projector, calls } = recordingProjector<Dog>(projectAggregate);
    const fromSnapshot = await app.repository.get<Dog>(id, { projector });
    assert.deepEqual(calls.map(versions), [[2], []]);
    assert.ok(fromSnapshot instanceof Dog);
    assert.ok(Object.isFrozen(fromSnapshot));
    assert.deepEqual([fromSnapshot.version, fromSnapshot.tricks], [2, ['roll over']]);

    await app.addTrick(id, 'play dead');
    const dog = await app.repository.get<Dog>(id);
    assert.deepEqual([dog.version, dog.name, dog.tricks], [3, 'Fido', ['roll over', 'play dead']]);
    const [registered] = await app.events.get<DomainEvent>(id);
    assert.deepEqual(fromSnapshot.createdOn, registered?.timestamp, 'dates survive the snapshot');
    assert.ok(fromSnapshot.createdOn instanceof Date);
  });
});
