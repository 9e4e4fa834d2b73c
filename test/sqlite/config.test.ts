import '../../src/register-persistence-modules.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  InfrastructureFactoryError,
  InterfaceError,
  OperationalError,
  ProgrammingError,
} from '../../src/persistence/errors.js';
import { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import {
  loadSqliteDriver,
  parseSqliteDbName,
  SQLiteApplicationRecorder,
  SQLiteDatastore,
  SQLiteFactory,
  type SqliteDatabaseConstructor,
} from '../../src/sqlite/index.js';
import { Environment } from '../../src/utils/environment.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteDatabaseConstructor;
const state = new TextEncoder().encode('{}');
const event = (version = 1, originatorId: string = randomUUID()) => ({
  originatorId,
  originatorVersion: version,
  topic: 't:E',
  state,
});

function rejectsWith(fn: () => unknown, pattern: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InfrastructureFactoryError, String(error));
    assert.equal(error.message, pattern);
    return true;
  });
}

describe('SQLite environment', () => {
  test('PERSISTENCE_MODULE=sqlite and eventsourcing.sqlite resolve synchronously, without I/O', () => {
    const path = tempDbPath();
    for (const name of ['sqlite', 'eventsourcing.sqlite', 'eventsourcing.sqlite:Factory']) {
      const factory = InfrastructureFactory.construct({
        PERSISTENCE_MODULE: name,
        SQLITE_DBNAME: path,
      });
      assert.ok(factory instanceof SQLiteFactory);
      factory.applicationRecorder();
      assert.equal(existsSync(path), false, 'nothing is opened before first use');
    }
  });

  test('SQLITE_DBNAME is required; the error lists the keys tried', () => {
    rejectsWith(
      () => new SQLiteFactory(new Environment('DogSchool', {})),
      'SQLite database name not found in environment with keys: DOGSCHOOL_SQLITE_DBNAME, ' +
        "SQLITE_DBNAME. Set it to a file path (or ':memory:'), or give the factory a 'dbName' " +
        "or 'database' option.",
    );
    assert.throws(() => new SQLiteFactory(new Environment('', { SQLITE_DBNAME: ' ' })), {
      message: /with keys: SQLITE_DBNAME\./,
    });
  });

  test('keys scoped with the application name win', async () => {
    const factory = new SQLiteFactory(
      new Environment('DogSchool', {
        SQLITE_DBNAME: 'unused.db',
        DOGSCHOOL_SQLITE_DBNAME: ':memory:',
        DOGSCHOOL_SQLITE_LOCK_TIMEOUT: '7',
      }),
    );
    assert.equal(factory.datastore.dbName, ':memory:');
    assert.equal(factory.datastore.lockTimeout, 7000);
    await factory.close();
  });

  test('SQLITE_LOCK_TIMEOUT: whole seconds (the datastore keeps milliseconds); empty means 5; else Python’s error', () => {
    assert.equal(sqliteFactory(':memory:').datastore.lockTimeout, 5000);
    assert.equal(
      sqliteFactory(':memory:', { SQLITE_LOCK_TIMEOUT: '' }).datastore.lockTimeout,
      5000,
    );
    assert.equal(
      sqliteFactory(':memory:', { SQLITE_LOCK_TIMEOUT: ' 0 ' }).datastore.lockTimeout,
      0,
    );
    assert.equal(
      sqliteFactory(':memory:', { SQLITE_LOCK_TIMEOUT: '30' }).datastore.lockTimeout,
      30000,
    );
    for (const bad of ['abc', '1.5', '-1', '1e3', '99999999']) {
      rejectsWith(
        () => sqliteFactory(':memory:', { SQLITE_LOCK_TIMEOUT: bad }),
        "SQLite environment value for key 'SQLITE_LOCK_TIMEOUT' is invalid. If set, an int " +
          `or empty string is expected: '${bad}'`,
      );
    }
    assert.throws(
      () => sqliteFactory(':memory:', { APP_SQLITE_LOCK_TIMEOUT: 'x' }, 'App'),
      /key 'APP_SQLITE_LOCK_TIMEOUT' is invalid/,
    );
  });

  test('SQLITE_SYNCHRONOUS: OFF, NORMAL, FULL (default) or EXTRA, any case', () => {
    assert.equal(sqliteFactory(':memory:').datastore.synchronous, 'FULL');
    assert.equal(
      sqliteFactory(':memory:', { SQLITE_SYNCHRONOUS: 'normal' }).datastore.synchronous,
      'NORMAL',
    );
    rejectsWith(
      () => sqliteFactory(':memory:', { SQLITE_SYNCHRONOUS: 'fast' }),
      "SQLite environment value for key 'SQLITE_SYNCHRONOUS' is invalid. If set, one of OFF, " +
        "NORMAL, FULL or EXTRA is expected: 'fast'",
    );
  });

  test('ORIGINATOR_ID_TYPE, CREATE_TABLE and SINGLE_ROW_TRACKING are checked', () => {
    const d = sqliteFactory(':memory:').datastore;
    assert.equal(d.originatorIdType, 'uuid');
    assert.equal(d.createTable, true);
    assert.equal(d.singleRowTracking, true);
    const e = sqliteFactory(':memory:', {
      ORIGINATOR_ID_TYPE: 'TEXT',
      CREATE_TABLE: 'no',
      SINGLE_ROW_TRACKING: 'f',
    }).datastore;
    assert.equal(e.originatorIdType, 'text');
    assert.equal(e.createTable, false);
    assert.equal(e.singleRowTracking, false);
    rejectsWith(
      () => sqliteFactory(':memory:', { ORIGINATOR_ID_TYPE: 'int' }),
      "Invalid ORIGINATOR_ID_TYPE 'int', must be 'uuid' or 'text'",
    );
    assert.throws(
      () => sqliteFactory(':memory:', { CREATE_TABLE: 'maybe' }),
      (error: unknown) =>
        error instanceof InfrastructureFactoryError &&
        error.message.includes("'CREATE_TABLE' is invalid") &&
        error.message.includes("'maybe'"),
    );
    assert.throws(
      () => sqliteFactory(':memory:', { SINGLE_ROW_TRACKING: 'sometimes' }),
      /'SINGLE_ROW_TRACKING' is invalid/,
    );
  });

  test('journal_mode is WAL for files; synchronous is as configured; busy_timeout is a few ms (waits beyond it do not block the event loop), 0 with a lock timeout of 0', async () => {
    const cases = [
      [{}, 2, 5],
      [{ SQLITE_SYNCHRONOUS: 'OFF', SQLITE_LOCK_TIMEOUT: '1' }, 0, 5],
      [{ SQLITE_SYNCHRONOUS: 'NORMAL' }, 1, 5],
      [{ SQLITE_SYNCHRONOUS: 'EXTRA', SQLITE_LOCK_TIMEOUT: '0' }, 3, 0],
    ] as const;
    for (const [vars, synchronous, busy] of cases) {
      const path = tempDbPath();
      const factory = sqliteFactory(path, vars);
      await factory.applicationRecorder().ready();
      const { db } = factory.datastore.connect();
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), synchronous);
      assert.equal(db.pragma('busy_timeout', { simple: true }), busy);
      await factory.close();
      // WAL is persistent: another connection sees it.
      const raw = new Database(path, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    }
    const memory = sqliteFactory(':memory:');
    await memory.applicationRecorder().ready();
    assert.equal(memory.datastore.connect().db.pragma('journal_mode', { simple: true }), 'memory');
    assert.equal(memory.datastore.connect().db.pragma('synchronous', { simple: true }), 2);
    await memory.close();
  });

  test('CREATE_TABLE=no: a missing table is a ProgrammingError that says what to do', async () => {
    const path = tempDbPath();
    const factory = sqliteFactory(path, { CREATE_TABLE: 'no' });
    const recorder = factory.applicationRecorder();
    await assert.rejects(recorder.ready(), (error: unknown) => {
      return (
        error instanceof ProgrammingError &&
        /no such table: stored_events/.test(error.message) &&
        error.message.includes('CREATE_TABLE=yes') &&
        (error.cause as { code?: string }).code === 'SQLITE_ERROR'
      );
    });
    await assert.rejects(recorder.insertEvents([event()]), ProgrammingError);
    // Once the tables exist, the same recorder works (a failed start is not remembered).
    const creator = sqliteFactory(path);
    await creator.applicationRecorder().ready();
    await creator.close();
    assert.equal((await recorder.insertEvents([event()])).length, 1);
    await factory.close();
  });

  test('file: URIs and named in-memory databases, as Python reads SQLITE_DBNAME', async () => {
    assert.deepEqual(parseSqliteDbName('file:/tmp/x.db?mode=rw'), {
      filename: '/tmp/x.db',
      memory: false,
      sharedMemoryName: null,
      readonly: false,
      fileMustExist: true,
    });
    assert.equal(parseSqliteDbName('file:///tmp/a%20b.db').filename, '/tmp/a b.db');
    assert.equal(parseSqliteDbName('file::memory:').memory, true);
    assert.equal(parseSqliteDbName('file::memory:').sharedMemoryName, null);
    assert.equal(parseSqliteDbName('file:db1?mode=memory&cache=shared').sharedMemoryName, 'db1');
    assert.throws(() => parseSqliteDbName('file:x?mode=fast'), /Unsupported mode 'fast'/);

    const path = tempDbPath();
    const viaUri = sqliteFactory(`file:${path}`);
    await viaUri.applicationRecorder().insertEvents([event()]);
    await viaUri.close();
    assert.ok(existsSync(path));

    // Two factories naming one in-memory database share it; :memory: ones do not.
    const name = `file:shared-${randomUUID()}?mode=memory&cache=shared`;
    const a = sqliteFactory(name);
    const b = sqliteFactory(name);
    await a.applicationRecorder().insertEvents([event()]);
    assert.equal(await b.applicationRecorder().maxNotificationId(), 1);
    const c = sqliteFactory(':memory:');
    const d = sqliteFactory(':memory:');
    await c.applicationRecorder().insertEvents([event()]);
    assert.equal(await d.applicationRecorder().maxNotificationId(), null);
    for (const f of [a, b, c, d]) await f.close();
  });

  test('a missing directory is an OperationalError naming it', async () => {
    const dir = join(tempDbPath(), 'no', 'such');
    const factory = sqliteFactory(join(dir, 'x.db'));
    await assert.rejects(factory.applicationRecorder().ready(), (error: unknown) => {
      return error instanceof OperationalError && error.message.includes(dir);
    });
    await factory.close();
  });

  test('a missing driver is an InfrastructureFactoryError that says what to install', async () => {
    assert.throws(
      () => loadSqliteDriver('better-sqlite3-not-installed'),
      (error: unknown) =>
        error instanceof InfrastructureFactoryError &&
        error.message.includes("run 'npm install better-sqlite3-not-installed'"),
    );
    assert.equal(loadSqliteDriver(), loadSqliteDriver('better-sqlite3'));
    const recorder = new SQLiteApplicationRecorder(
      new SQLiteDatastore(':memory:', { driver: 'better-sqlite3-not-installed' }),
    );
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = recorder.insertEvents([event()]);
    });
    await assert.rejects(promise!, InfrastructureFactoryError);
  });

  test('after close, methods reject with InterfaceError; close is idempotent', async () => {
    const factory = sqliteFactory(tempDbPath());
    const recorder = factory.processRecorder();
    await recorder.insertEvents([event()]);
    await factory.close();
    await factory.close();
    await assert.rejects(recorder.insertEvents([event()]), InterfaceError);
    await assert.rejects(recorder.selectNotifications(null, 1), InterfaceError);
    await assert.rejects(recorder.maxTrackingId('x'), InterfaceError);
    const late = factory.applicationRecorder();
    await assert.rejects(late.ready(), /is closed/);
  });

  test('a recorder given a database name owns its datastore', async () => {
    const path = tempDbPath();
    const recorder = new SQLiteApplicationRecorder(path);
    await recorder.insertEvents([event()]);
    assert.equal(recorder.datastore.isClosed, false);
    await recorder.close();
    assert.equal(recorder.datastore.isClosed, true);
  });
});
