import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { SqliteDatabaseConstructor } from '../../src/sqlite/driver.js';
import { SQLiteDCBRecorder } from '../../src/sqlite/sqlite-dcb-recorder.js';
import { SQLiteFactory } from '../../src/sqlite/sqlite-factory.js';
import { dcbRecorderContract } from '../../src/testing/dcb-recorder-contract.js';
import { Environment } from '../../src/utils/environment.js';
import { runUntilExit } from '../helpers/run-until-exit.js';
import { removeDb, tempDbPath } from '../sqlite/helpers.js';

const encoder = new TextEncoder();
const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
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

/** The factories of `:memory:` recorders, closed after each test. */
const memoryFactories = new WeakMap<object, SQLiteFactory>();

/** A recorder on a private `:memory:` database, made by a factory as applications get it. */
function inMemory(name: string): SQLiteDCBRecorder {
  const factory = new SQLiteFactory(new Environment(name, { SQLITE_DBNAME: ':memory:' }));
  const recorder = factory.dcbRecorder() as SQLiteDCBRecorder;
  memoryFactories.set(recorder, factory);
  return recorder;
}

describe('SQLite :memory:', () => {
  // One connection: the concurrent writers share the recorder.
  dcbRecorderContract(inMemory, {
    dispose: async (recorder) => {
      await recorder.close();
      await memoryFactories.get(recorder)?.close();
    },
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

  /** Makes the tables as the earlier version did (its index of ids was not unique). */
  function oldTables(path: string, duplicates: boolean): void {
    const db = new Database(path);
    try {
      db.exec(
        'CREATE TABLE old_events_tt_main (id INTEGER PRIMARY KEY, type TEXT NOT NULL, ' +
          'data BLOB, tags TEXT NOT NULL, uuid TEXT); ' +
          'CREATE INDEX old_events_tt_main_idx_type_id ON old_events_tt_main (type, id); ' +
          'CREATE INDEX old_events_tt_main_idx_uuid ON old_events_tt_main (uuid) ' +
          'WHERE uuid IS NOT NULL; ' +
          'CREATE TABLE old_events_tt_tag (tag TEXT NOT NULL, main_id INTEGER NOT NULL ' +
          'REFERENCES old_events_tt_main (id)); ' +
          'CREATE INDEX old_events_tt_tag_idx_tag_main_id ON old_events_tt_tag (tag, main_id);',
      );
      const insert = db.prepare(
        "INSERT INTO old_events_tt_main (type, data, tags, uuid) VALUES ('A', x'00', '[]', ?)",
      );
      insert.run(ID);
      insert.run(null);
      insert.run(duplicates ? ID : OTHER_ID);
    } finally {
      db.close();
    }
  }

  function uuidIndex(path: string): { unique: number } | undefined {
    const db = new Database(path);
    try {
      return (
        db.prepare('PRAGMA index_list(old_events_tt_main)').all() as Array<{
          name: string;
          unique: number;
        }>
      ).find((row) => row.name === 'old_events_tt_main_idx_uuid');
    } finally {
      db.close();
    }
  }

  const ID = '7a1b5c7e-59b1-4c1e-9a40-1d2a3b4c5d6e';
  const OTHER_ID = '0e3f2a1b-8c9d-4e5f-a6b7-c8d9e0f1a2b3';

  test('a table of an earlier version gets the unique index of event ids in place of its old one', async () => {
    const path = tempDbPath('old');
    oldTables(path, false);
    assert.equal(uuidIndex(path)?.unique, 0);
    const recorder = new SQLiteDCBRecorder(path, 'old');
    try {
      assert.equal((await recorder.read()).head, 3);
      assert.equal(uuidIndex(path)?.unique, 1);
      // The stored ids are known: appending one of them is a retry.
      assert.equal(await recorder.append([{ ...event('B'), id: ID }]), 1);
      assert.equal((await recorder.read()).head, 3);
    } finally {
      await recorder.close();
      removeDb(path);
    }
  });

  test('a table of an earlier version holding an id twice is refused with what to do, and left as it was', async () => {
    const path = tempDbPath('dup');
    oldTables(path, true);
    const recorder = new SQLiteDCBRecorder(path, 'old');
    try {
      await assert.rejects(recorder.read(), (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        assert.match(
          error.message,
          /1 event id\(s\) are stored more than once in old_events_tt_main/,
        );
        assert.match(error.message, /UPDATE old_events_tt_main SET uuid = NULL WHERE/);
        return true;
      });
      assert.equal(uuidIndex(path)?.unique, 0, 'nothing was changed');
      // The statement the message gives clears the duplicates; then the recorder opens.
      const db = new Database(path);
      db.exec(
        'UPDATE old_events_tt_main SET uuid = NULL WHERE uuid IS NOT NULL AND id NOT IN ' +
          '(SELECT min(id) FROM old_events_tt_main WHERE uuid IS NOT NULL GROUP BY uuid)',
      );
      db.close();
      assert.equal((await recorder.read()).head, 3);
      assert.equal(uuidIndex(path)?.unique, 1);
    } finally {
      await recorder.close();
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
