import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { DataError } from '../../src/persistence/errors.js';
import type { InsertEventsOptions } from '../../src/persistence/recorders.js';
import {
  SQLiteApplicationRecorder,
  type SqliteConnection,
  type SqliteDatabaseConstructor,
} from '../../src/sqlite/index.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
const state = new TextEncoder().encode('{}');
const event = (originatorId: string = randomUUID(), version = 1) => ({
  originatorId,
  originatorVersion: version,
  topic: 't:E',
  state,
});
const MAX = Number.MAX_SAFE_INTEGER;

/** A recorder on a fresh file, and a raw better-sqlite3 connection to tamper with it. */
async function setUp() {
  const path = tempDbPath();
  const factory = sqliteFactory(path);
  const recorder = factory.processRecorder();
  await recorder.ready();
  const raw = new Database(path);
  return { factory, recorder, raw };
}

describe('SQLite rows written by another program', () => {
  const cases = [
    [
      'a REAL originator_version',
      1.5,
      'topic',
      'state',
      /column originator_version holds REAL 1\.5 where an INTEGER is expected/,
    ],
    [
      'a TEXT originator_version',
      'two',
      'topic',
      'state',
      /column originator_version holds TEXT "two" where an INTEGER is expected/,
    ],
    [
      'a TEXT state',
      1,
      'topic',
      'text state',
      /column state holds TEXT "text state" where a BLOB is expected/,
    ],
    ['a NULL topic', 1, null, 'state', /column topic is NULL where TEXT is expected/],
  ] as const;
  for (const [what, version, topic, stateValue, problem] of cases) {
    test(`reading a row with ${what} is a DataError naming the table, the row and the column`, async () => {
      const { factory, recorder, raw } = await setUp();
      const id = randomUUID();
      const [n] = await recorder.insertEvents([event()]);
      raw
        .prepare('INSERT INTO stored_events VALUES (?,?,?,?)')
        .run(
          id.replaceAll('-', ''),
          version,
          topic === null ? null : 't:Tampered',
          stateValue === 'state' ? Buffer.from('{}') : stateValue,
        );
      const check = (error: unknown) => {
        assert.ok(error instanceof DataError, String(error));
        assert.match(error.message, /of table 'stored_events' of SQLite database '/);
        assert.match(error.message, problem);
        assert.match(error.message, /repair or remove it/);
        return true;
      };
      await assert.rejects(recorder.selectEvents(id), (error: unknown) => {
        check(error);
        assert.match(
          (error as Error).message,
          new RegExp(`row with originator_id "${id.replaceAll('-', '')}"`),
        );
        return true;
      });
      await assert.rejects(recorder.selectNotifications(null, 10), (error: unknown) => {
        check(error);
        assert.match(
          (error as Error).message,
          new RegExp(`row with notification id \\(rowid\\) ${n! + 1}`),
        );
        return true;
      });
      // The rows before it are still readable.
      assert.equal((await recorder.selectNotifications(null, 1)).length, 1);
      raw.close();
      await factory.close();
    });
  }

  test('a REAL tracking notification_id is a DataError naming the tracking row', async () => {
    const { factory, recorder, raw } = await setUp();
    raw.prepare('INSERT INTO tracking VALUES (?, ?)').run('up', 2.5);
    await assert.rejects(recorder.maxTrackingId('up'), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.match(error.message, /table 'tracking'/);
      assert.match(error.message, /row of application "up"/);
      assert.match(error.message, /column notification_id holds REAL 2\.5/);
      return true;
    });
    raw.close();
    await factory.close();
  });
});

describe('SQLite notification ids near 2^53', () => {
  test('a one-event save whose rowid would be 2^53 is refused with a DataError before the commit: nothing is stored; below it saves succeed', async () => {
    const { factory, recorder, raw } = await setUp();
    const insert = raw.prepare(
      'INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)',
    );
    insert.run(MAX - 2, randomUUID().replaceAll('-', ''), 1, 't:E', Buffer.from('{}'));
    assert.deepEqual(await recorder.insertEvents([event()]), [MAX - 1]);
    assert.deepEqual(await recorder.insertEvents([event()]), [MAX]);
    const count = () => raw.prepare('SELECT COUNT(*) FROM stored_events').pluck().get();
    assert.equal(count(), 3);
    for (const events of [[event()], [event(), event()]]) {
      await assert.rejects(recorder.insertEvents(events), (error: unknown) => {
        assert.ok(error instanceof DataError, String(error));
        assert.match(
          error.message,
          /next notification id \(rowid\) would be above Number\.MAX_SAFE_INTEGER/,
        );
        assert.match(error.message, /Nothing of the batch was stored/);
        return true;
      });
    }
    assert.equal(count(), 3);
    // The rows at the limit are read back exactly.
    const notifications = await recorder.selectNotifications(MAX - 1, 10);
    assert.deepEqual(
      notifications.map((n) => n.id),
      [MAX - 1, MAX],
    );
    assert.equal(await recorder.maxNotificationId(), MAX);
    raw.close();
    await factory.close();
  });

  test('a recorder whose saves all run in a transaction (writeExtra) refuses the save at 2^53 before the commit too, and a stored rowid beyond it reads as a DataError', async () => {
    class Extra extends SQLiteApplicationRecorder {
      extra = 0;
      protected override writeExtra(_c: SqliteConnection, _o: InsertEventsOptions | undefined) {
        this.extra++;
      }
    }
    const path = tempDbPath();
    const factory = sqliteFactory(path);
    const recorder = new Extra(factory.datastore);
    await recorder.ready();
    const raw = new Database(path);
    raw
      .prepare(
        'INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)',
      )
      .run(MAX, randomUUID().replaceAll('-', ''), 1, 't:E', Buffer.from('{}'));
    await assert.rejects(recorder.insertEvents([event()]), /Nothing of the batch was stored/);
    assert.equal(raw.prepare('SELECT COUNT(*) FROM stored_events').pluck().get(), 1);
    raw.exec(`UPDATE stored_events SET rowid = ${MAX} + 1`);
    await assert.rejects(recorder.maxNotificationId(), DataError);
    await assert.rejects(recorder.selectNotifications(null, 10), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.match(error.message, /above Number\.MAX_SAFE_INTEGER/);
      return true;
    });
    raw.close();
    await recorder.close();
    await factory.close();
  });
});
