import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { DogSchool } from '../../examples/dog-school.js';
import type { SqliteDatabaseConstructor } from '../../src/sqlite/index.js';
import { SQLiteFactory } from '../../src/sqlite/index.js';
import { tempDbPath } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;

describe('Application on SQLite', () => {
  test('an application on a file, closed, then reopened by a new instance, reads the first one’s aggregates', async () => {
    const path = tempDbPath();
    const env = { PERSISTENCE_MODULE: 'sqlite', DOGSCHOOL_SQLITE_DBNAME: path };
    const first = new DogSchool({ env });
    assert.ok(first.factory instanceof SQLiteFactory);
    const fido = await first.registerDog('Fido');
    await first.addTrick(fido, 'roll over');
    await first.addTrick(fido, 'play dead');
    await first.close();

    const second = await DogSchool.create({ env });
    assert.deepEqual(await second.getDog(fido), {
      name: 'Fido',
      tricks: ['roll over', 'play dead'],
    });
    const rex = await second.registerDog('Rex');
    const notifications = await second.notificationLog.select(1, 10);
    assert.deepEqual(
      notifications.map((n) => [n.id, n.originatorId, n.topic]),
      [
        [1, fido, 'Dog.Registered'],
        [2, fido, 'Dog.TrickAdded'],
        [3, fido, 'Dog.TrickAdded'],
        [4, rex, 'Dog.Registered'],
      ],
    );
    await second.close();
  });

  test('snapshots go to stored_snapshots, and are used on read', async () => {
    const path = tempDbPath();
    const env = { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: path, IS_SNAPSHOTTING_ENABLED: 'y' };
    const app = new DogSchool({ env });
    const id = await app.registerDog('Fido');
    await app.addTrick(id, 'sit');
    await app.takeSnapshot(id);
    await app.addTrick(id, 'stay');
    await app.close();
    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare('SELECT originator_id, originator_version FROM stored_snapshots')
      .raw(true)
      .all();
    db.close();
    assert.deepEqual(rows, [[id.replaceAll('-', ''), 2]]);
    const again = new DogSchool({ env });
    assert.deepEqual(await again.getDog(id), { name: 'Fido', tricks: ['sit', 'stay'] });
    await again.close();
  });

  test('Application.create fails at start-up for a database that cannot be opened', async () => {
    await assert.rejects(
      DogSchool.create({
        env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: '/no/such/dir/dogs.db' },
      }),
      /the directory '\/no\/such\/dir' does not exist/,
    );
  });
});
