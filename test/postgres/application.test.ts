import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { type Dog, DogSchool } from '../../examples/dog-school.js';
import { AggregateNotFoundError } from '../../src/application/index.js';
import { MemoryAggregateRecorder } from '../../src/memory/index.js';
import { OperationalError } from '../../src/persistence/errors.js';
import { type PostgresApplicationRecorder, PostgresFactory } from '../../src/postgres/index.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const appName = `es_app_${randomBytes(4).toString('hex')}`;

/** The README's dog school, named so that its tables are this test's own. */
class PgDogSchool extends DogSchool {
  static override readonly name = appName;
}

const env = { ...baseEnv, PERSISTENCE_MODULE: 'postgres', IS_SNAPSHOTTING_ENABLED: 'yes' };

whenPostgres(() => {
  after(() => dropPrefix(appName));

  describe('an Application on PostgreSQL', () => {
    test('saves, gets, snapshots and reads its notification log; a second instance sees it all', async () => {
      const app = await PgDogSchool.create({ env });
      assert.ok(app.factory instanceof PostgresFactory);
      const id = await app.registerDog('Fido');
      await app.addTrick(id, 'roll over');
      await app.addTrick(id, 'play dead');
      await app.takeSnapshot(id);
      assert.deepEqual(await app.getDog(id), { name: 'Fido', tricks: ['roll over', 'play dead'] });
      const notifications = await app.notificationLog.select(1, 10);
      assert.deepEqual(
        notifications.map((n) => n.topic.split('.').pop()),
        ['Registered', 'TrickAdded', 'TrickAdded'],
      );
      assert.deepEqual(
        notifications.map((n) => n.id),
        [1, 2, 3],
      );
      const snapshots = await app.snapshots?.recorder.selectEvents(id);
      assert.equal(snapshots?.length, 1);
      await app.close();

      // Constructed synchronously (no I/O); tables are found on first use.
      const again = new PgDogSchool({ env });
      assert.deepEqual(await again.getDog(id), {
        name: 'Fido',
        tricks: ['roll over', 'play dead'],
      });
      const dog = await again.repository.get<Dog>(id);
      assert.equal(dog.version, 3);
      await again.close();
    });

    test('gets a snapshotted aggregate with one statement for the snapshot and later events', async () => {
      const app = await PgDogSchool.create({ env });
      const id = await app.registerDog('Rex');
      for (const trick of ['sit', 'stay']) await app.addTrick(id, trick);
      await app.takeSnapshot(id, { version: 2 });
      await app.takeSnapshot(id);
      for (const trick of ['roll', 'beg']) await app.addTrick(id, trick);
      const datastore = (app.recorder as unknown as PostgresApplicationRecorder).datastore;
      const read = datastore.read.bind(datastore);
      const statements: string[] = [];
      datastore.read = (config) => {
        statements.push(config.text);
        return read(config);
      };
      const dog = await app.repository.get<Dog>(id);
      assert.deepEqual([dog.version, dog.tricks], [5, ['sit', 'stay', 'roll', 'beg']]);
      assert.equal(statements.length, 1, statements.join('\n'));
      // At a version: the latest snapshot at or before it, then the events up to it.
      const at4 = await app.repository.get<Dog>(id, { version: 4 });
      assert.deepEqual([at4.version, at4.tricks], [4, ['sit', 'stay', 'roll']]);
      const at2 = await app.repository.get<Dog>(id, { version: 2 });
      assert.deepEqual([at2.version, at2.tricks], [2, ['sit']]);
      // Without any snapshot: every event.
      const other = await app.registerDog('Spot');
      await app.addTrick(other, 'fetch');
      const spot = await app.repository.get<Dog>(other);
      assert.deepEqual([spot.version, spot.tricks], [2, ['fetch']]);
      await assert.rejects(app.repository.get(randomUUID()), AggregateNotFoundError);
      // A snapshot recorder on another database is not read with it.
      const memory = new MemoryAggregateRecorder();
      assert.equal(
        await (app.recorder as PostgresApplicationRecorder).selectSnapshotAndEvents(id, memory),
        null,
      );
      await app.close();
    });

    test('Application.create fails at start-up when the server cannot be reached', async () => {
      await assert.rejects(
        PgDogSchool.create({ env: { ...env, POSTGRES_PORT: '1' } }),
        OperationalError,
      );
    });
  });
});
