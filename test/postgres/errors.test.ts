import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import {
  InterfaceError,
  OperationalError,
  ProgrammingError,
} from '../../src/persistence/errors.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const prefix = `es_err_${randomBytes(4).toString('hex')}`;

function factory(extra: Record<string, string>, name = prefix): PostgresFactory {
  return new PostgresFactory(new Environment(name, { ...baseEnv, ...extra }));
}

async function assertOperational(f: PostgresFactory, pattern: RegExp): Promise<void> {
  const recorder = f.applicationRecorder();
  await assert.rejects(recorder.ready(), (error: unknown) => {
    assert.ok(error instanceof OperationalError, String(error));
    assert.match(error.message, pattern);
    assert.ok(error.cause !== undefined, 'the driver error is the cause');
    return true;
  });
  // Not cached: the next call tries again (and fails again, the same way).
  await assert.rejects(recorder.maxNotificationId(), OperationalError);
  await f.close();
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('errors from the server map to the library’s classes, saying what to do', () => {
    test('an unreachable server (a closed port)', async () => {
      await assertOperational(
        factory({ POSTGRES_PORT: '1' }),
        /Cannot connect to PostgreSQL at 127\.0\.0\.1:1.*POSTGRES_HOST and POSTGRES_PORT/s,
      );
    });

    test('an unknown database', async () => {
      await assertOperational(
        factory({ POSTGRES_DBNAME: `missing_${randomBytes(3).toString('hex')}` }),
        /database does not exist.*POSTGRES_DBNAME/s,
      );
    });

    test('an unknown user (bad credentials)', async () => {
      await assertOperational(
        factory({ POSTGRES_USER: `nobody_${randomBytes(3).toString('hex')}` }),
        /Authentication failed.*POSTGRES_USER and POSTGRES_PASSWORD/s,
      );
    });

    test('a missing table with CREATE_TABLE=no is a ProgrammingError', async () => {
      const f = factory({ CREATE_TABLE: 'no' }, `${prefix}_none`);
      const recorder = f.processRecorder();
      await assert.rejects(
        recorder.insertEvents([
          { originatorId: randomUUID(), originatorVersion: 1, topic: 't', state: Uint8Array.of(1) },
        ]),
        (error: unknown) =>
          error instanceof ProgrammingError &&
          error.message.includes(`Table '${prefix}_none_events' does not exist`) &&
          error.message.includes('CREATE_TABLE'),
      );
      await assert.rejects(f.trackingRecorder().maxTrackingId('x'), ProgrammingError);
      await f.close();
    });

    test('CREATE_TABLE=no uses tables that exist', async () => {
      const name = `${prefix}_made`;
      const maker = factory({}, name);
      await maker.applicationRecorder().ready();
      await maker.close();
      const user = factory({ CREATE_TABLE: 'no' }, name);
      const [id] = await user
        .applicationRecorder()
        .insertEvents([
          { originatorId: randomUUID(), originatorVersion: 1, topic: 't', state: Uint8Array.of(1) },
        ]);
      assert.equal(id, 1);
      await user.close();
    });

    test('using a closed factory’s recorder is an InterfaceError', async () => {
      const f = factory({}, `${prefix}_closed`);
      const recorder = f.applicationRecorder();
      await recorder.ready();
      await f.close();
      await assert.rejects(recorder.maxNotificationId(), InterfaceError);
      await assert.rejects(
        recorder.insertEvents([
          { originatorId: randomUUID(), originatorVersion: 1, topic: 't', state: Uint8Array.of(1) },
        ]),
        InterfaceError,
      );
      await f.close(); // closing twice is harmless
    });

    test('POSTGRES_MAX_WAITING bounds the requests waiting for a connection', async () => {
      const f = factory(
        { POSTGRES_POOL_SIZE: '1', POSTGRES_MAX_OVERFLOW: '0', POSTGRES_MAX_WAITING: '1' },
        `${prefix}_waiting`,
      );
      const recorder = f.applicationRecorder();
      await recorder.ready();
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => recorder.selectNotifications(null, 1)),
      );
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.ok(rejected.length > 0, 'some requests are turned away');
      for (const r of rejected) {
        assert.ok(r.reason instanceof OperationalError);
        assert.match(String(r.reason), /POSTGRES_MAX_WAITING=1/);
      }
      await f.close();
    });
  });
});
