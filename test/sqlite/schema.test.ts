import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { DataError, OperationalError } from '../../src/persistence/errors.js';
import type { SqliteDatabaseConstructor } from '../../src/sqlite/index.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;

/** The `sql` of each table in the database, by name. */
function tables(path: string): Record<string, string> {
  const db = new Database(path);
  try {
    const rows = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type='table' ORDER BY name")
      .all() as { name: string; sql: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
  } finally {
    db.close();
  }
}

const state = (s: string) => new TextEncoder().encode(s);

// Python 9.5's DDL, as eventsourcing/sqlite.py runs it (CREATE TABLE IF NOT EXISTS is stored
// by SQLite without the IF NOT EXISTS).
const PYTHON_EVENTS =
  'CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, ' +
  'state BLOB, PRIMARY KEY (originator_id, originator_version))';
const PYTHON_SNAPSHOTS =
  'CREATE TABLE stored_snapshots (originator_id TEXT, originator_version INTEGER, topic TEXT, ' +
  'state BLOB, PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID';
const PYTHON_TRACKING =
  'CREATE TABLE tracking (application_name TEXT, notification_id INTEGER, PRIMARY KEY ' +
  '(application_name)) WITHOUT ROWID';
const PYTHON_MULTI_ROW_TRACKING =
  'CREATE TABLE tracking (application_name TEXT, notification_id INTEGER, PRIMARY KEY ' +
  '(application_name, notification_id)) WITHOUT ROWID';

describe('SQLite schema and stored rows', () => {
  test('tables are created on first use with exactly Python’s DDL', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const app = factory.processRecorder();
    const snapshots = factory.aggregateRecorder('snapshots');
    const tracking = factory.trackingRecorder();
    await app.ready();
    await snapshots.ready();
    await tracking.ready();
    assert.deepEqual(tables(path), {
      stored_events: PYTHON_EVENTS,
      stored_snapshots: PYTHON_SNAPSHOTS,
      tracking: PYTHON_TRACKING,
    });
    // Python marks a single-row tracking table with a migration row.
    assert.equal(await tracking.maxTrackingId('__migration__'), 1);
    await factory.close();
  });

  test('UUIDs are stored as 32-char lowercase hex, returned hyphenated; rowid is the id', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const recorder = factory.applicationRecorder();
    const id = randomUUID();
    const upper = randomUUID().toUpperCase();
    const ids = await recorder.insertEvents([
      { originatorId: id, originatorVersion: 1, topic: 'dogs:Dog.Registered', state: state('a') },
      {
        originatorId: upper,
        originatorVersion: 1,
        topic: 'dogs:Dog.Registered',
        state: state('b'),
      },
    ]);
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT rowid, * FROM stored_events ORDER BY rowid').all() as {
      rowid: number;
      originator_id: string;
      originator_version: number;
      topic: string;
      state: Buffer;
    }[];
    db.close();
    assert.deepEqual(
      rows.map((r) => [r.rowid, r.originator_id, r.originator_version, r.topic]),
      [
        [ids[0], id.replaceAll('-', ''), 1, 'dogs:Dog.Registered'],
        [ids[1], upper.replaceAll('-', '').toLowerCase(), 1, 'dogs:Dog.Registered'],
      ],
    );
    assert.ok(Buffer.isBuffer(rows[0]!.state), 'state is a BLOB');
    const [n1, n2] = await recorder.selectNotifications(null, 10);
    assert.equal(n1!.originatorId, id);
    assert.equal(n2!.originatorId, upper.toLowerCase());
    // Any case and the hex form select the same events, returned in canonical form.
    const selected = await recorder.selectEvents(upper);
    assert.equal(selected[0]!.originatorId, upper.toLowerCase());
    assert.equal((await recorder.selectEvents(id.replaceAll('-', ''))).length, 1);
    await factory.close();
  });

  test('ORIGINATOR_ID_TYPE=uuid rejects other ids with a DataError that says what to set', async () => {
    const factory = sqliteFactory(tempDbPath());
    const recorder = factory.applicationRecorder();
    await assert.rejects(
      recorder.insertEvents([
        { originatorId: randomUUID(), originatorVersion: 1, topic: 't', state: state('x') },
        { originatorId: 'dog-1', originatorVersion: 1, topic: 't', state: state('x') },
      ]),
      (error: unknown) =>
        error instanceof DataError &&
        error.message.includes('"dog-1"') &&
        error.message.includes('ORIGINATOR_ID_TYPE=text'),
    );
    assert.equal(await recorder.maxNotificationId(), null);
    // No event of such an id can exist.
    assert.deepEqual(await recorder.selectEvents('dog-1'), []);
    await factory.close();
  });

  test('ORIGINATOR_ID_TYPE=text stores ids exactly as given', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path, { ORIGINATOR_ID_TYPE: 'text' });
    const recorder = factory.applicationRecorder();
    const uuid = randomUUID();
    await recorder.insertEvents([
      { originatorId: 'dog-1', originatorVersion: 1, topic: 't', state: state('x') },
      { originatorId: uuid, originatorVersion: 1, topic: 't', state: state('y') },
    ]);
    const db = new Database(path, { readonly: true });
    const stored = db
      .prepare('SELECT originator_id FROM stored_events ORDER BY rowid')
      .pluck()
      .all();
    db.close();
    assert.deepEqual(stored, ['dog-1', uuid]);
    assert.equal((await recorder.selectEvents('dog-1'))[0]!.originatorId, 'dog-1');
    await factory.close();
  });

  test('rows written as Python writes them are read back (Python compatibility)', async () => {
    const path = tempDbPath();
    // Python's SQLiteApplicationRecorder creates the table and inserts row by row.
    const db = new Database(path);
    db.exec(`${PYTHON_EVENTS.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')}`);
    db.exec(`${PYTHON_TRACKING.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')}`);
    const id = randomUUID();
    const pythonState = Buffer.from(
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123456+00:00"},' +
        '"originator_topic":"dogs:Dog","name":"Fido"}',
    );
    db.prepare('INSERT INTO stored_events VALUES (?,?,?,?)').run(
      id.replaceAll('-', ''),
      1,
      'dogs:Dog.Registered',
      pythonState,
    );
    db.prepare('INSERT INTO tracking VALUES (?,?)').run('__migration__', 1);
    db.prepare('INSERT INTO tracking VALUES (?,?)').run('upstream', 7);
    db.close();
    const factory = sqliteFactory(path);
    const recorder = factory.processRecorder();
    const [notification] = await recorder.selectNotifications(null, 10);
    assert.equal(notification!.id, 1);
    assert.equal(notification!.originatorId, id);
    assert.equal(notification!.topic, 'dogs:Dog.Registered');
    assert.deepEqual(Buffer.from(notification!.state), pythonState);
    assert.equal(await recorder.maxTrackingId('upstream'), 7);
    // The next id follows Python's.
    const [next] = await recorder.insertEvents([
      { originatorId: id, originatorVersion: 2, topic: 'dogs:Dog.TrickAdded', state: state('{}') },
    ]);
    assert.equal(next, 2);
    await factory.close();
  });

  test('a legacy multi-row tracking table is migrated as Python migrates it', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    db.exec(PYTHON_MULTI_ROW_TRACKING);
    const insert = db.prepare('INSERT INTO tracking VALUES (?,?)');
    for (const [app, id] of [
      ['a', 1],
      ['a', 2],
      ['a', 5],
      ['b', 3],
    ] as const) {
      insert.run(app, id);
    }
    db.close();
    const factory = sqliteFactory(path);
    const tracking = factory.trackingRecorder();
    assert.equal(await tracking.maxTrackingId('a'), 5);
    assert.equal(await tracking.maxTrackingId('b'), 3);
    assert.equal(await tracking.maxTrackingId('__migration__'), 1);
    await factory.close();
    const after = tables(path);
    assert.equal(after.tracking, PYTHON_TRACKING);
    assert.ok(after.old1_tracking, 'the old table is kept as old1_tracking');
    // Multi-row mode on a migrated table is refused, as in Python.
    const legacy = sqliteFactory(path, { SINGLE_ROW_TRACKING: 'no' });
    await assert.rejects(legacy.trackingRecorder().ready(), (error: unknown) => {
      return (
        error instanceof OperationalError &&
        error.message.includes("Can't do multi-row tracking with single-row tracking table")
      );
    });
    await legacy.close();
  });

  test('SINGLE_ROW_TRACKING=f keeps Python’s multi-row table, ids still strictly increasing', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path, { SINGLE_ROW_TRACKING: 'f' });
    const tracking = factory.trackingRecorder();
    await tracking.insertTracking({ applicationName: 'a', notificationId: 1 });
    await tracking.insertTracking({ applicationName: 'a', notificationId: 2 });
    assert.equal(await tracking.maxTrackingId('a'), 2);
    await factory.close();
    assert.equal(tables(path).tracking, PYTHON_MULTI_ROW_TRACKING);
    const db = new Database(path, { readonly: true });
    assert.equal(db.prepare('SELECT COUNT(*) FROM tracking').pluck().get(), 2);
    db.close();
  });

  test('a stored integer above Number.MAX_SAFE_INTEGER is a DataError on read', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const recorder = factory.applicationRecorder();
    await recorder.ready();
    const db = new Database(path);
    db.prepare(
      'INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)',
    ).run(2n ** 60n, randomUUID().replaceAll('-', ''), 1, 't', Buffer.from('x'));
    db.close();
    await assert.rejects(recorder.selectNotifications(null, 10), DataError);
    await assert.rejects(recorder.maxNotificationId(), DataError);
    await factory.close();
  });
});
