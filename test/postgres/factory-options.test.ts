import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Application } from '../../src/application/index.js';
import { InfrastructureFactoryError } from '../../src/persistence/errors.js';
import { type PgPool, PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, pg, rawClient, whenPostgres } from './helpers.js';

const prefix = `es_options_${randomBytes(4).toString('hex')}`;

function event() {
  return {
    originatorId: randomUUID(),
    originatorVersion: 1,
    topic: 't:E',
    state: Uint8Array.of(1),
  };
}

function userPool(): PgPool & { listenerCount(event: string): number; ended: boolean } {
  return new pg.Pool({
    host: baseEnv.POSTGRES_HOST,
    port: Number(baseEnv.POSTGRES_PORT),
    user: baseEnv.POSTGRES_USER,
    password: baseEnv.POSTGRES_PASSWORD,
    database: baseEnv.POSTGRES_DBNAME,
    max: 3,
  }) as unknown as PgPool & { listenerCount(event: string): number; ended: boolean };
}

describe('PostgresFactory options (no server needed)', () => {
  const env = new Environment('Opts', baseEnv);

  test('typed settings override their environment keys', () => {
    const factory = new PostgresFactory(
      new Environment('Opts', { ...baseEnv, POSTGRES_POOL_SIZE: '9', POSTGRES_LOCK_TIMEOUT: '3' }),
      { poolSize: 2, maxOverflow: 0, schema: 'tenant', createTable: false },
    );
    assert.equal(factory.settings.poolSize, 2);
    assert.equal(factory.settings.maxOverflow, 0);
    assert.equal(factory.settings.schema, 'tenant');
    assert.equal(factory.settings.createTable, false);
    assert.equal(factory.settings.lockTimeout, 3); // not given: the environment's
  });

  test('connection settings given as options make the environment keys unnecessary', () => {
    const factory = new PostgresFactory(new Environment('Opts', {}), {
      host: '127.0.0.1',
      dbname: 'test',
      user: 'postgres',
      password: '',
    });
    assert.equal(factory.settings.host, '127.0.0.1');
    assert.equal(factory.settings.dbname, 'test');
    assert.throws(
      () => new PostgresFactory(new Environment('Opts', {}), { host: '127.0.0.1' }),
      (error: unknown) =>
        error instanceof InfrastructureFactoryError && /POSTGRES_DBNAME/.test(error.message),
    );
  });

  test('an unknown option is a TypeError that lists the known ones', () => {
    assert.throws(
      () => new PostgresFactory(env, { poolsize: 3 } as never),
      /Unknown PostgreSQL option 'poolsize'\. Known options: pool, onError, dbname, .*poolSize/,
    );
  });

  test('a bad option value is a TypeError saying what is expected, without showing a password', () => {
    assert.throws(
      () => new PostgresFactory(env, { poolSize: -1 }),
      /option 'poolSize' must be an integer ≥ 0, not -1/,
    );
    assert.throws(
      () => new PostgresFactory(env, { originatorIdType: 'int' as never }),
      /option 'originatorIdType' must be 'uuid' or 'text', not "int"/,
    );
    assert.throws(
      () => new PostgresFactory(env, { password: 12345 as never }),
      (error: unknown) =>
        error instanceof TypeError &&
        /must be a string or a function, not number/.test(error.message) &&
        !error.message.includes('12345'),
    );
    assert.throws(
      () => new PostgresFactory(env, { pool: {} as never }),
      /'pool' must be a pg\.Pool/,
    );
    assert.throws(
      () => new PostgresFactory(env, { onError: 'log' as never }),
      /'onError' must be a function/,
    );
  });
});

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe("a user's pg.Pool", () => {
    test('is used instead of a pool of its own: no connection keys needed, numbers for ids, and the user’s own queries keep their parsers', async () => {
      const pool = userPool();
      const factory = new PostgresFactory(new Environment(`${prefix}_shared`, {}), { pool });
      try {
        const recorder = factory.applicationRecorder();
        const [id] = await recorder.insertEvents([event()]);
        assert.equal(id, 1);
        const [notification] = await recorder.selectNotifications(1, 10);
        assert.equal(notification?.id, 1);
        assert.deepEqual([...(notification?.state ?? [])], [1]);
        const own = await pool.query({ text: 'SELECT 1::int8 AS one' });
        assert.deepEqual(own.rows[0], { one: '1' });
        // The tables are on the user's pool's database, seen by the pool's own connections.
        assert.ok((pool as unknown as { totalCount: number }).totalCount >= 1);
      } finally {
        await factory.close();
      }
      // Left open by close(): the user ends it.
      assert.equal(pool.ended, false);
      assert.deepEqual((await pool.query({ text: 'SELECT 2 AS two' })).rows[0], { two: 2 });
      await pool.end();
    });

    test("subscriptions LISTEN with the pool's options, and the pool's error events reach onError only until close()", async () => {
      const pool = userPool();
      const userErrors: Error[] = [];
      pool.on('error', (error) => userErrors.push(error));
      const reported: string[] = [];
      const factory = new PostgresFactory(new Environment(`${prefix}_listen`, {}), {
        pool,
        onError: (_error, source) => reported.push(source),
      });
      try {
        const recorder = factory.applicationRecorder();
        const listener = factory.datastore.listener(recorder.channel);
        const subscription = recorder.subscribe();
        const iterator = subscription[Symbol.asyncIterator]();
        const first = iterator.next();
        for (let i = 0; i < 250 && !listener.isListening; i++) await sleep(20);
        assert.equal(listener.isListening, true);
        await recorder.insertEvents([event()]);
        assert.equal((await first).done, false);
        subscription.stop();

        assert.equal(pool.listenerCount('error'), 2);
        const pid = (await pool.query({ text: 'SELECT pg_backend_pid() AS pid' })).rows[0] as {
          pid: number;
        };
        const killer = await rawClient();
        await killer.query({ text: 'SELECT pg_terminate_backend($1)', values: [pid.pid] });
        await killer.end();
        for (let i = 0; i < 250 && reported.length === 0; i++) await sleep(20);
        assert.deepEqual(reported, ['pool']);
        assert.equal(userErrors.length, 1);
      } finally {
        await factory.close();
      }
      assert.equal(pool.listenerCount('error'), 1);
      await pool.end();
    });

    test('an application shares it through the factory option', async () => {
      const pool = userPool();
      const app = new Application({
        name: `${prefix}_app`,
        factory: (env) => new PostgresFactory(env, { pool }),
      });
      try {
        await app.recorder.insertEvents([event()]);
        assert.equal(await app.recorder.maxNotificationId(), 1);
      } finally {
        await app.close();
      }
      assert.equal(pool.ended, false);
      await pool.end();
    });
  });
});
