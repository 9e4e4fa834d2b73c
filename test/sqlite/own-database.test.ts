import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { OperationalError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import {
  SQLiteFactory,
  SQLiteTrackingRecorder,
  type SqliteDatabase,
  type SqliteDatabaseConstructor,
} from '../../src/sqlite/index.js';
import { Environment } from '../../src/utils/environment.js';
import { tempDbPath } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
const state = new TextEncoder().encode('{}');
const event = () => ({ originatorId: randomUUID(), originatorVersion: 1, topic: 't:E', state });
const env = (vars: Record<string, string> = {}) => new Environment('DogSchool', vars);

/** A view whose commands run a statement the user prepared on their own connection. */
class Audit extends SQLiteTrackingRecorder {
  run<T>(tracking: Tracking, fn: (db: SqliteDatabase) => T): Promise<T> {
    return this.transaction(tracking, fn);
  }
}

describe('SQLiteFactory with a better-sqlite3 Database of the user’s', () => {
  test('the recorders use the given connection, set no pragma unless asked, and close() leaves it open', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    const factory = new SQLiteFactory(env(), { database: db });
    assert.equal(factory.datastore.dbName, path);
    assert.equal(factory.datastore.isExternal, true);
    const recorder = factory.applicationRecorder();
    const ids = await recorder.insertEvents([event()]);
    assert.deepEqual(ids, [1]);
    assert.equal(db.prepare('SELECT COUNT(*) FROM stored_events').pluck().get(), 1);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    await factory.close();
    assert.equal(db.open, true);
    db.close();

    const other = new Database(tempDbPath());
    const normal = new SQLiteFactory(env(), { database: other, synchronous: 'NORMAL' });
    await normal.applicationRecorder().ready();
    assert.equal(other.pragma('synchronous', { simple: true }), 1);
    await normal.close();
    other.close();
  });

  test('a user’s statements run inside the library’s transaction on the shared connection, and roll back with it', async () => {
    const db = new Database(tempDbPath());
    db.exec('CREATE TABLE notes (text TEXT)');
    const note = db.prepare('INSERT INTO notes VALUES (?)');
    const factory = new SQLiteFactory(env(), { database: db });
    const view = factory.trackingRecorder(Audit);
    await view.run({ applicationName: 'up', notificationId: 1 }, (given) => {
      assert.equal(given, db);
      assert.equal(db.inTransaction, true);
      note.run('kept');
    });
    await assert.rejects(
      view.run({ applicationName: 'up', notificationId: 2 }, () => {
        note.run('rolled back');
        throw new Error('no');
      }),
      /no/,
    );
    assert.deepEqual(db.prepare('SELECT text FROM notes').pluck().all(), ['kept']);
    assert.equal(await view.maxTrackingId('up'), 1);
    await factory.close();
    db.close();
  });

  test('a save made while the user’s own transaction is open on the connection waits for it to end rather than joining it', async () => {
    const db = new Database(tempDbPath());
    db.exec('CREATE TABLE notes (text TEXT)');
    const factory = new SQLiteFactory(env(), { database: db });
    const recorder = factory.applicationRecorder();
    await recorder.ready();
    db.exec('BEGIN');
    db.prepare('INSERT INTO notes VALUES (?)').run('mine');
    let done = false;
    const saving = recorder.insertEvents([event()]).finally(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(done, false);
    db.exec('ROLLBACK');
    assert.deepEqual(await saving, [1]);
    // The user's rollback did not undo the library's save, which ran after it.
    assert.equal(db.prepare('SELECT COUNT(*) FROM stored_events').pluck().get(), 1);
    assert.equal(db.prepare('SELECT COUNT(*) FROM notes').pluck().get(), 0);
    await factory.close();
    db.close();
  });

  test('awaiting a save inside one’s own transaction on the connection fails after the lock timeout with an error that says why', async () => {
    const db = new Database(tempDbPath());
    const factory = new SQLiteFactory(env(), { database: db, lockTimeout: 200 });
    const recorder = factory.applicationRecorder();
    await recorder.ready();
    db.exec('BEGIN');
    await assert.rejects(recorder.insertEvents([event()]), (error: unknown) => {
      assert.ok(error instanceof OperationalError);
      assert.match(error.message, /stayed inside a transaction of yours/);
      assert.match(error.message, /do not await them inside it/);
      return true;
    });
    db.exec('ROLLBACK');
    assert.equal(await recorder.maxNotificationId(), null);
    await factory.close();
    db.close();
  });
});

describe('SQLiteFactory typed options', () => {
  test('typed options override the environment keys; the lock timeout is in milliseconds', async () => {
    const factory = new SQLiteFactory(
      env({ SQLITE_DBNAME: 'unused.db', SQLITE_LOCK_TIMEOUT: '9', ORIGINATOR_ID_TYPE: 'uuid' }),
      {
        dbName: ':memory:',
        lockTimeout: 250,
        synchronous: 'OFF',
        originatorIdType: 'text',
        singleRowTracking: false,
        createTable: true,
      },
    );
    const d = factory.datastore;
    assert.deepEqual(
      [d.dbName, d.lockTimeout, d.synchronous, d.originatorIdType, d.singleRowTracking],
      [':memory:', 250, 'OFF', 'text', false],
    );
    assert.deepEqual(
      await factory.applicationRecorder().insertEvents([{ ...event(), originatorId: 'dog-1' }]),
      [1],
    );
    await factory.close();
    // Without options, the keys apply as before (seconds).
    const fromEnv = new SQLiteFactory(env({ SQLITE_DBNAME: ':memory:', SQLITE_LOCK_TIMEOUT: '9' }));
    assert.equal(fromEnv.datastore.lockTimeout, 9000);
  });

  test('bad options are TypeErrors that say what was wrong', () => {
    const cases: [unknown, RegExp][] = [
      [
        { dbname: 'x.db' },
        /Unknown SQLiteFactory option 'dbname': expected one of database, dbName/,
      ],
      [
        { lockTimeout: 1.5 },
        /option 'lockTimeout' must be a whole number of milliseconds ≥ 0, not 1\.5/,
      ],
      [
        { synchronous: 'normal' },
        /option 'synchronous' must be 'OFF', 'NORMAL', 'FULL' or 'EXTRA', not "normal"/,
      ],
      [
        { database: 'x.db' },
        /option 'database' must be an open better-sqlite3 Database, not "x\.db"/,
      ],
      [
        { database: new Database(':memory:'), dbName: 'x.db' },
        /'database' and 'dbName' exclude each other/,
      ],
      ['x.db', /options must be an object, not string/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => new SQLiteFactory(env({ SQLITE_DBNAME: ':memory:' }), options as never),
        (error: unknown) => error instanceof TypeError && message.test(error.message),
        String(message),
      );
    }
  });
});
