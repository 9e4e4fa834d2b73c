import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SQLiteDCBRecorder } from '../../src/sqlite/sqlite-dcb-recorder.js';
import { SQLiteFactory } from '../../src/sqlite/sqlite-factory.js';
import { dcbRecorderContract } from '../../src/testing/dcb-recorder-contract.js';
import { Environment } from '../../src/utils/environment.js';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { removeDb, tempDbPath } from '../sqlite/helpers.js';

const encoder = new TextEncoder();
const paths = new WeakMap<object, string>();

/** A recorder on a fresh database file, made by a factory as applications get it. */
function onFile(name: string): SQLiteDCBRecorder {
  const path = tempDbPath(name);
  const factory = new SQLiteFactory(new Environment(name, { SQLITE_DBNAME: path }));
  const recorder = factory.dcbRecorder() as SQLiteDCBRecorder;
  paths.set(recorder, path);
  return recorder;
}

/** A recorder of the same tables on the same file, with a connection of its own (closed with it). */
function sameFile(recorder: SQLiteDCBRecorder): SQLiteDCBRecorder {
  const path = paths.get(recorder) ?? recorder.datastore.dbName;
  return new SQLiteDCBRecorder(path, recorder.mainTableName.replace(/_events_tt_main$/, ''));
}

async function closeAll(recorder: SQLiteDCBRecorder): Promise<void> {
  await recorder.close();
  recorder.datastore.close();
  const path = paths.get(recorder);
  if (path !== undefined) removeDb(path);
}

describe('SQLite file', () => {
  dcbRecorderContract(onFile, {
    dispose: closeAll,
    another: sameFile,
  });
});

describe('SQLiteDCBRecorder', () => {
  const event = (type: string, tags: string[] = []) => ({
    type,
    data: encoder.encode(type),
    tags,
  });

  test("the factory names the tables after the application, lower-cased, or 'dcb'", async () => {
    const path = tempDbPath('names');
    const named = new SQLiteFactory(new Environment('CourseBooking', { SQLITE_DBNAME: path }));
    const unnamed = new SQLiteFactory(new Environment('', { SQLITE_DBNAME: path }));
    try {
      const a = named.dcbRecorder() as SQLiteDCBRecorder;
      const b = unnamed.dcbRecorder() as SQLiteDCBRecorder;
      assert.equal(a.mainTableName, 'coursebooking_events_tt_main');
      assert.equal(a.tagTableName, 'coursebooking_events_tt_tag');
      assert.equal(b.mainTableName, 'dcb_events_tt_main');
      await a.append([event('A', ['x'])]);
      assert.equal((await b.read()).head, null, 'another prefix is another store');
      const tables = (
        named.datastore
          .connect()
          .db.prepare(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name",
          )
          .pluck(true)
          .all() as string[]
      ).filter((name) => name.startsWith('coursebooking_'));
      assert.deepEqual(tables, [
        'coursebooking_events_tt_main',
        'coursebooking_events_tt_main_idx_type_id',
        'coursebooking_events_tt_main_idx_uuid',
        'coursebooking_events_tt_tag',
        'coursebooking_events_tt_tag_idx_tag_main_id',
      ]);
    } finally {
      await named.close();
      await unnamed.close();
      removeDb(path);
    }
  });

  test("two recorders on one file in the same process see each other's appends", async () => {
    const a = onFile('shared');
    const b = sameFile(a);
    try {
      assert.equal(await a.append([event('A', ['t'])]), 1);
      assert.equal(await b.append([event('B', ['t'])]), 2);
      assert.deepEqual(
        (await a.read()).events.map((e) => e.event.type),
        ['A', 'B'],
      );
      // B's condition sees A's append.
      await a.append([event('C', ['t'])]);
      await assert.rejects(
        b.append([event('D')], {
          failIfEventsMatch: { items: [{ types: [], tags: ['t'] }] },
          after: 2,
        }),
        /position 3/,
      );
    } finally {
      await b.close();
      await closeAll(a);
    }
  });

  test("a subscription sees another connection's append (by polling)", async () => {
    const a = onFile('poll');
    const b = sameFile(a);
    try {
      await a.append([event('First')]);
      const subscription = a.subscribe({ items: [{ types: ['Second'], tags: [] }] });
      const pending = subscription[Symbol.asyncIterator]().next();
      await b.append([event('Second')]);
      const next = await pending;
      assert.equal(next.value?.position, 2);
      assert.equal(next.value?.event.type, 'Second');
      subscription.stop();
      assert.equal(a.listenerCount, 0);
    } finally {
      await b.close();
      await closeAll(a);
    }
  });

  test('a process that used a SQLite DCB recorder exits by itself after closing its factory', async () => {
    const path = tempDbPath('exit');
    try {
      const child = fileURLToPath(new URL('./fixtures/sqlite-dcb-exit-child.ts', import.meta.url));
      assert.deepEqual(await runUntilExit(child, [path]), {
        position: 1,
        head: 1,
        received: 1,
        done: true,
      });
    } finally {
      removeDb(path);
    }
  });
});
