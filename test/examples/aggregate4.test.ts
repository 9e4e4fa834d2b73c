/** Aggregate 4, custom base classes: the dog school, end to end, without the library's Aggregate. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Aggregate as LibraryAggregate, ProgrammingError } from 'eventsourcing/domain';
import { IntegrityError } from 'eventsourcing/persistence';
import { DogSchool } from '../../examples/aggregate4/application.js';
import { type DomainEvent, Snapshot } from '../../examples/aggregate4/base.js';
import { Dog } from '../../examples/aggregate4/domain.js';
import { recordingProjector, versions } from './helpers.js';

describe('aggregate4: custom base classes', () => {
  test('registers a dog, teaches it tricks, and reconstructs it with its projector', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.addTrick(id, 'play dead');
    assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over', 'play dead'] });

    const dog = await app.repository.get(id, { projector: Dog.projector });
    assert.ok(dog instanceof Dog);
    assert.ok(!(dog instanceof LibraryAggregate));
    assert.deepEqual([dog.id, dog.version], [id, 3]);
    assert.deepEqual(dog.collectEvents(), []);

    // Stored events come back as instances of the example's own event classes.
    const [registered, added, last] = await app.events.get<DomainEvent>(id);
    assert.ok(registered instanceof Dog.Registered);
    assert.equal(registered.name, 'Fido');
    assert.ok(added instanceof Dog.TrickAdded);
    assert.equal(added.trick, 'roll over');
    assert.ok(Object.isFrozen(added));
    assert.deepEqual([dog.createdOn, dog.modifiedOn], [registered.timestamp, last?.timestamp]);

    const log = await app.notificationLog.select(1, 10);
    assert.deepEqual(
      log.map((n) => [n.id, n.originatorVersion, n.topic]),
      [
        [1, 1, 'aggregate4:Dog.Registered'],
        [2, 2, 'aggregate4:Dog.TrickAdded'],
        [3, 3, 'aggregate4:Dog.TrickAdded'],
      ],
    );
  });

  test('without the projector the repository cannot apply these events, and says so', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await assert.rejects(app.repository.get(id), {
      name: ProgrammingError.name,
      message: /no mutate\(\) method\. Pass a projector function/,
    });
  });

  test('a concurrent change is an IntegrityError and records nothing', async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    const first = await app.repository.get(id, { projector: Dog.projector });
    const second = await app.repository.get(id, { projector: Dog.projector });
    first.addTrick('roll over');
    second.addTrick('play dead');
    await app.save(first);
    await assert.rejects(app.save(second), IntegrityError);
    assert.deepEqual((await app.getDog(id)).tricks, ['roll over']);
  });

  test("a snapshot of the example's own class is taken, and getting the dog starts from it", async () => {
    await using app = new DogSchool();
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'roll over');
    await app.takeSnapshot(id, { projector: Dog.projector });
    await app.addTrick(id, 'play dead');

    const snapshots = (await app.snapshots?.get(id)) ?? [];
    assert.deepEqual(versions(snapshots), [2]);
    const snapshot = snapshots[0];
    assert.ok(snapshot instanceof Snapshot);
    assert.deepEqual(snapshot.state.tricks, ['roll over']);
    assert.ok(!('pendingEvents' in snapshot.state));

    const { projector, calls } = recordingProjector(Dog.projector);
    const dog = await app.repository.get(id, { projector });
    assert.ok(calls[0]?.[0] instanceof Snapshot);
    assert.deepEqual(versions(calls[1] ?? []), [3]);
    assert.ok(dog instanceof Dog);
    assert.deepEqual([dog.version, dog.name, dog.tricks], [3, 'Fido', ['roll over', 'play dead']]);
    const [registered] = await app.events.get<DomainEvent>(id);
    assert.deepEqual(dog.createdOn, registered?.timestamp, 'dates survive the snapshot');

    // The dog from a snapshot takes new commands: its pending events start empty.
    await app.addTrick(id, 'fetch ball');
    assert.deepEqual(versions(await app.events.get(id)), [1, 2, 3, 4]);
  });
});
