/** Aggregate 2, explicit event classes given to the decorators: the dog school, end to end. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { projectAggregate } from 'eventsourcing/application';
import { type DomainEvent, getTopic, resolveTopic, Snapshot } from 'eventsourcing/domain';
import { IntegrityError } from 'eventsourcing/persistence';
import { DogSchool } from '../../examples/aggregate2/application.js';
import { Dog } from '../../examples/aggregate2/domain.js';
import { recordingProjector, versions } from './helpers.js';

describe('aggregate2: explicit event classes', () => {
  test('registers a dog, teaches it tricks, and records events of the classes given', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over', 'play dead'] });

    const dog = await app.repository.get<Dog>(id);
    assert.ok(dog instanceof Dog);
    assert.deepEqual([dog.id, dog.version], [id, 3]);

    // The classes given to the decorators are the dog's event classes, with typed fields.
    const [registered, added] = await app.events.get<DomainEvent>(id);
    assert.ok(registered instanceof Dog.Registered);
    assert.equal(registered.name, 'Fido');
    assert.equal(registered.originatorTopic, 'aggregate2:Dog');
    assert.ok(added instanceof Dog.TrickAdded);
    assert.equal(added.trick, 'roll over');
    assert.equal(getTopic(Dog.TrickAdded), 'aggregate2:Dog.TrickAdded');
    assert.equal(resolveTopic('aggregate2:Dog.Registered'), Dog.Registered);

    const log = await app.notificationLog.select(1, 10);
    assert.deepEqual(
      log.map((n) => [n.id, n.originatorVersion, n.topic]),
      [
        [1, 1, 'aggregate2:Dog.Registered'],
        [2, 2, 'aggregate2:Dog.TrickAdded'],
        [3, 3, 'aggregate2:Dog.TrickAdded'],
      ],
    );
  });

  test('a concurrent change is an IntegrityError and records nothing', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    const first = await app.repository.get<Dog>(id);
    const second = await app.repository.get<Dog>(id);
    first.addTrick('roll over');
    second.addTrick('play dead');
    await app.save(first);
    await assert.rejects(app.save(second), IntegrityError);
    assert.deepEqual((await app.getDog(id)).tricks, ['roll over']);
  });

  test('a snapshot is taken, and getting the dog starts from it', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.takeSnapshot(id);
    await app.addTrick(id, 'play dead');
    assert.deepEqual(versions((await app.snapshots?.get(id)) ?? []), [2]);

    const { projector, calls } = recordingProjector<Dog>(projectAggregate);
    const dog = await app.repository.get<Dog>(id, { projector });
    assert.ok(calls[0]?.[0] instanceof Snapshot);
    assert.deepEqual(versions(calls[1] ?? []), [3]);
    assert.deepEqual([dog.version, dog.tricks], [3, ['roll over', 'play dead']]);
  });
});
