import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { type Dog, DogSchool } from '../../examples/dog-school.js';
import { OperationalError } from '../../src/persistence/errors.js';
import { PostgresFactory } from '../../src/postgres/index.js';
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

    test('Application.create fails at start-up when the server cannot be reached', async () => {
      await assert.rejects(
        PgDogSchool.create({ env: { ...env, POSTGRES_PORT: '1' } }),
        OperationalError,
      );
    });
  });
});
