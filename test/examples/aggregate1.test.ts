/** Aggregate 1, declarative syntax: the dog school application, end to end. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { projectAggregate } from 'eventsourcing/application';
import { type DomainEvent, getTopic, Snapshot } from 'eventsourcing/domain';
import { IntegrityError } from 'eventsourcing/persistence';
import { DogSchool } from '../../examples/aggregate1/application.js';
import { Dog } from '../../examples/aggregate1/domain.js';
import { recordingProjector, versions } from './helpers.js';

describe('aggregate1: declarative syntax', () => {
  test('registers a dog, teaches it tricks, and reconstructs it from its events', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: [] });
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over', 'play dead'] });

    const dog = await app.repository.get<Dog>(id);
    assert.ok(dog instanceof Dog);
    assert.deepEqual([dog.id, dog.version, dog.pendingEvents], [id, 3, []]);

    // The decorators made the event classes; the fields are named after the parameters.
    const events = await app.events.get<DomainEvent>(id);
    assert.deepEqual(versions(events), [1, 2, 3]);
    assert.ok(events[0] instanceof Dog.Registered);
    assert.ok(events[1] instanceof Dog.TrickAdded);
    assert.deepEqual(
      events.map((e) => getTopic(e.constructor)),
      ['aggregate1:Dog.Registered', 'aggregate1:Dog.TrickAdded', 'aggregate1:Dog.TrickAdded'],
    );
    assert.equal((events[0] as unknown as { name: string }).name, 'Fido');
    assert.equal((events[2] as unknown as { trick: string }).trick, 'play dead');
    assert.deepEqual(dog.createdOn, events[0]?.timestamp);
    assert.deepEqual(dog.modifiedOn, events[2]?.timestamp);

    // Any earlier version can be reconstructed.
    const young = await app.repository.get<Dog>(id, { version: 2 });
    assert.deepEqual([young.version, young.tricks], [2, ['roll over']]);

    const log = await app.notificationLog.select(1, 10);
    assert.deepEqual(
      log.map((n) => [n.id, n.originatorId, n.originatorVersion, n.topic]),
      [
        [1, id, 1, 'aggregate1:Dog.Registered'],
        [2, id, 2, 'aggregate1:Dog.TrickAdded'],
        [3, id, 3, 'aggregate1:Dog.TrickAdded'],
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
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over'] });
    assert.equal((await app.notificationLog.select(1, 10)).length, 2);
  });

  test('a snapshot is taken, and getting the dog starts from it', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    await app.takeSnapshot(id);
    await app.addTrick(id, 'fetch ball');

    const snapshots = (await app.snapshots?.get(id)) ?? [];
    assert.deepEqual(versions(snapshots), [3]);
    assert.ok(snapshots[0] instanceof Snapshot);

    // The repository gives the projector the snapshot, then only the events after it.
    const { projector, calls } = recordingProjector<Dog>(projectAggregate);
    const dog = await app.repository.get<Dog>(id, { projector });
    assert.ok(calls[0]?.[0] instanceof Snapshot);
    assert.deepEqual(versions(calls[1] ?? []), [4]);
    assert.ok(dog instanceof Dog);
    assert.deepEqual(dog.tricks, ['roll over', 'play dead', 'fetch ball']);
    assert.equal(dog.version, 4);

    // A dog from a snapshot takes new commands like any other.
    await app.addTrick(id, 'sit');
    assert.equal((await app.getDog(id)).tricks.length, 4);
  });
});
