import '../../src/register-persistence-modules.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { registerTopic } from '../../src/domain/topics.js';
import { InfrastructureFactoryError, ProgrammingError } from '../../src/persistence/errors.js';
import { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import { loadPg } from '../../src/postgres/driver.js';
import {
  PostgresApplicationRecorder,
  PostgresFactory,
  parsePostgresSettings,
} from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';

const required = {
  POSTGRES_DBNAME: 'db',
  POSTGRES_HOST: 'db.example',
  POSTGRES_USER: 'alice',
  POSTGRES_PASSWORD: 'secret',
};

function parse(vars: Record<string, string>, name = '') {
  return parsePostgresSettings(new Environment(name, vars));
}

function rejectsWith(vars: Record<string, string>, message: string | RegExp): void {
  assert.throws(
    () => parse(vars),
    (error: unknown) => {
      assert.ok(error instanceof InfrastructureFactoryError, String(error));
      if (typeof message === 'string') assert.ok(error.message.includes(message), error.message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

describe('PostgreSQL settings from the environment', () => {
  test("defaults are Python's", () => {
    const s = parse(required);
    assert.equal(s.dbname, 'db');
    assert.equal(s.host, 'db.example');
    assert.equal(s.port, 5432);
    assert.equal(s.user, 'alice');
    assert.equal(s.password, 'secret');
    assert.equal(s.connectTimeout, 30);
    assert.equal(s.connMaxAge, 3600);
    assert.equal(s.prePing, false);
    assert.equal(s.maxWaiting, 0);
    assert.equal(s.lockTimeout, 0);
    assert.equal(s.poolSize, 5);
    assert.equal(s.maxOverflow, 10);
    assert.equal(s.idleInTransactionSessionTimeout, 5);
    assert.equal(s.schema, 'public');
    assert.equal(s.createTable, true);
    assert.equal(s.originatorIdType, 'uuid');
    assert.equal(s.singleRowTracking, true);
  });

  test('every key is read, and scoped keys win', () => {
    const s = parse(
      {
        ...required,
        POSTGRES_PORT: '6543',
        POSTGRES_CONNECT_TIMEOUT: '7',
        POSTGRES_CONN_MAX_AGE: '0.5',
        POSTGRES_PRE_PING: 'y',
        POSTGRES_MAX_WAITING: '3',
        POSTGRES_LOCK_TIMEOUT: '2',
        POSTGRES_POOL_SIZE: '1',
        POSTGRES_MAX_OVERFLOW: '0',
        POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: '0',
        POSTGRES_SCHEMA: '  ',
        CREATE_TABLE: 'no',
        ORIGINATOR_ID_TYPE: 'TEXT',
        SINGLE_ROW_TRACKING: 'f',
        MYAPP_POSTGRES_DBNAME: 'scoped',
        MYAPP_POSTGRES_SCHEMA: 'myschema',
      },
      'MyApp',
    );
    assert.equal(s.dbname, 'scoped');
    assert.equal(s.port, 6543);
    assert.equal(s.connectTimeout, 7);
    assert.equal(s.connMaxAge, 0.5);
    assert.equal(s.prePing, true);
    assert.equal(s.maxWaiting, 3);
    assert.equal(s.lockTimeout, 2);
    assert.equal(s.poolSize, 1);
    assert.equal(s.maxOverflow, 0);
    assert.equal(s.idleInTransactionSessionTimeout, 0);
    assert.equal(s.schema, 'myschema');
    assert.equal(s.createTable, false);
    assert.equal(s.originatorIdType, 'text');
    assert.equal(s.singleRowTracking, false);
    // A blank schema is Python's 'public'.
    assert.equal(parse({ ...required, POSTGRES_SCHEMA: ' ' }).schema, 'public');
  });

  test("missing required keys are Python's errors", () => {
    const { POSTGRES_DBNAME: _d, ...noDb } = required;
    rejectsWith(noDb, "Postgres database name not found in environment with key 'POSTGRES_DBNAME'");
    const { POSTGRES_HOST: _h, ...noHost } = required;
    rejectsWith(noHost, "Postgres host not found in environment with key 'POSTGRES_HOST'");
    const { POSTGRES_USER: _u, ...noUser } = required;
    rejectsWith(noUser, "Postgres user not found in environment with key 'POSTGRES_USER'");
    const { POSTGRES_PASSWORD: _p, ...noPassword } = required;
    rejectsWith(
      noPassword,
      "Postgres password not found in environment with key 'POSTGRES_PASSWORD'",
    );
    // An empty password is a password (trust authentication), as in Python.
    assert.equal(parse({ ...required, POSTGRES_PASSWORD: '' }).password, '');
  });

  test("invalid values name the key and what is expected (Python's messages)", () => {
    for (const key of [
      'POSTGRES_PORT',
      'POSTGRES_CONNECT_TIMEOUT',
      'POSTGRES_MAX_WAITING',
      'POSTGRES_LOCK_TIMEOUT',
      'POSTGRES_POOL_SIZE',
      'POSTGRES_MAX_OVERFLOW',
      'POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT',
    ]) {
      rejectsWith(
        { ...required, [key]: 'abc' },
        `Postgres environment value for key '${key}' is invalid. If set, an integer or empty string is expected: 'abc'`,
      );
      rejectsWith({ ...required, [key]: '1.5' }, `key '${key}' is invalid`);
    }
    rejectsWith(
      { ...required, POSTGRES_CONN_MAX_AGE: 'soon' },
      "Postgres environment value for key 'POSTGRES_CONN_MAX_AGE' is invalid. If set, a float or empty string is expected: 'soon'",
    );
    rejectsWith({ ...required, POSTGRES_PRE_PING: 'maybe' }, "key 'POSTGRES_PRE_PING' is invalid");
    rejectsWith({ ...required, CREATE_TABLE: 'maybe' }, "key 'CREATE_TABLE' is invalid");
    rejectsWith({ ...required, SINGLE_ROW_TRACKING: '2' }, "key 'SINGLE_ROW_TRACKING' is invalid");
    rejectsWith(
      { ...required, POSTGRES_LOCK_TIMEOUT: '-1' },
      "key 'POSTGRES_LOCK_TIMEOUT' is invalid",
    );
    rejectsWith({ ...required, POSTGRES_PORT: '70000' }, "key 'POSTGRES_PORT' is invalid");
    rejectsWith({ ...required, ORIGINATOR_ID_TYPE: 'int' }, /Invalid ORIGINATOR_ID_TYPE 'int'/);
    rejectsWith(
      { ...required, POSTGRES_POOL_SIZE: '0', POSTGRES_MAX_OVERFLOW: '0' },
      'at least one connection',
    );
    // Empty values mean "not set", as in Python.
    assert.equal(parse({ ...required, POSTGRES_LOCK_TIMEOUT: '' }).lockTimeout, 0);
  });

  test('a connection URL gives the parts; explicit keys override them', () => {
    const s = parse({
      POSTGRES_URL: 'postgresql://bob:p%40ss@pg.example:6000/events?sslmode=require',
    });
    assert.equal(s.user, 'bob');
    assert.equal(s.password, 'p@ss');
    assert.equal(s.host, 'pg.example');
    assert.equal(s.port, 6000);
    assert.equal(s.dbname, 'events');
    assert.deepEqual(s.ssl, { rejectUnauthorized: false });
    const o = parse({
      POSTGRES_URL: 'postgres://bob:pw@pg.example:6000/events',
      POSTGRES_DBNAME: 'other',
      POSTGRES_PORT: '7000',
      POSTGRES_PASSWORD: 'override',
    });
    assert.equal(o.dbname, 'other');
    assert.equal(o.port, 7000);
    assert.equal(o.password, 'override');
    assert.equal(o.user, 'bob');
    // DATABASE_URL is the fallback; POSTGRES_URL wins over it.
    assert.equal(parse({ DATABASE_URL: 'postgres://u@h/fromenv' }).dbname, 'fromenv');
    assert.equal(
      parse({ DATABASE_URL: 'postgres://u@h/a', POSTGRES_URL: 'postgres://u@h/b' }).dbname,
      'b',
    );
    assert.equal(parse({ POSTGRES_URL: 'postgres://u@h/db?sslmode=verify-full' }).ssl, true);
    rejectsWith({ POSTGRES_URL: 'not a url' }, "key 'POSTGRES_URL' is not a URL");
    rejectsWith({ POSTGRES_URL: 'mysql://u@h/db' }, "scheme 'mysql:'");
    rejectsWith({ POSTGRES_URL: 'postgres://u@h/db?sslmode=sometimes' }, "sslmode 'sometimes'");
    // The password never appears in messages.
    assert.throws(
      () => parse({ POSTGRES_URL: 'postgres://u:hunter2@h/db?sslmode=x' }),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });

  test('POSTGRES_GET_PASSWORD_TOPIC names a registered function', () => {
    const getPassword = () => 'rotated';
    registerTopic('tests.postgres:getPassword', getPassword);
    const s = parse({ ...required, POSTGRES_GET_PASSWORD_TOPIC: 'tests.postgres:getPassword' });
    assert.equal(s.password, getPassword);
    rejectsWith(
      { ...required, POSTGRES_GET_PASSWORD_TOPIC: 'tests.postgres:unknown' },
      "registerTopic('tests.postgres:unknown'",
    );
  });
});

describe('PostgresFactory without a server', () => {
  test("'postgres' and 'eventsourcing.postgres' resolve synchronously, with no I/O", async () => {
    for (const module of ['postgres', 'eventsourcing.postgres', 'eventsourcing.postgres:Factory']) {
      const factory = InfrastructureFactory.construct(
        new Environment('NoServer', {
          ...required,
          POSTGRES_PORT: '1',
          PERSISTENCE_MODULE: module,
        }),
      );
      assert.ok(factory instanceof PostgresFactory);
      // Recorders are made without connecting (the port is closed).
      const recorder = factory.applicationRecorder();
      assert.ok(recorder instanceof PostgresApplicationRecorder);
      assert.equal(recorder.tableName, 'noserver_events');
      assert.equal(recorder.channel, 'noserver_events');
      await factory.close();
    }
  });

  test("table names: the application's name lower-cased, else Python's defaults", async () => {
    const named = new PostgresFactory(new Environment('DogSchool', required));
    assert.equal(named.applicationRecorder().tableName, 'dogschool_events');
    assert.equal(named.aggregateRecorder('snapshots').tableName, 'dogschool_snapshots');
    assert.equal(named.trackingRecorder().tableName, 'dogschool_tracking');
    assert.equal(named.processRecorder().trackingTableName, 'dogschool_tracking');
    const unnamed = new PostgresFactory(new Environment('', required));
    assert.equal(unnamed.applicationRecorder().tableName, 'stored_events');
    assert.equal(unnamed.aggregateRecorder('snapshots').tableName, 'stored_snapshots');
    assert.equal(unnamed.trackingRecorder().tableName, 'notification_tracking');
    await named.close();
    await unnamed.close();
  });

  test('a name longer than 63 bytes is a ProgrammingError ("Identifier too long")', async () => {
    const factory = new PostgresFactory(new Environment('x'.repeat(60), required));
    assert.throws(() => factory.applicationRecorder(), ProgrammingError);
    assert.throws(() => factory.trackingRecorder(), /Identifier too long: x{60}_tracking/);
    const schema = new PostgresFactory(
      new Environment('app', { ...required, POSTGRES_SCHEMA: 's'.repeat(64) }),
    );
    assert.throws(() => schema.aggregateRecorder('snapshots'), /Identifier too long/);
    await factory.close();
    await schema.close();
  });

  test('a missing driver is an InfrastructureFactoryError saying what to install', () => {
    assert.throws(
      () => loadPg('eventsourcing-missing-pg-driver'),
      (error: unknown) =>
        error instanceof InfrastructureFactoryError &&
        error.message.includes('npm install eventsourcing-missing-pg-driver'),
    );
  });

  test('bad calls reject rather than throw, before any connection is tried', async () => {
    const factory = new PostgresFactory(
      new Environment('app', { ...required, POSTGRES_PORT: '1' }),
    );
    const recorder = factory.applicationRecorder();
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = recorder.insertEvents([
        { originatorId: 'not-a-uuid', originatorVersion: 1, topic: 't', state: new Uint8Array() },
      ]);
    });
    await assert.rejects(promise!, /not a UUID.*ORIGINATOR_ID_TYPE=text/s);
    assert.doesNotThrow(() => {
      promise = recorder.insertEvents('nope' as never);
    });
    await assert.rejects(promise!, TypeError);
    // A non-UUID id cannot be stored, so it has no events (no query is made).
    assert.deepEqual(await recorder.selectEvents('not-a-uuid'), []);
    await factory.close();
  });
});
