import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Application } from '../../src/application/index.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, rawClient, whenPostgres } from './helpers.js';

const prefix = `es_onerror_${randomBytes(4).toString('hex')}`;

function event() {
  return {
    originatorId: randomUUID(),
    originatorVersion: 1,
    topic: 't:E',
    state: Uint8Array.of(1),
  };
}

/** The backend pids of `count` connections of the factory's pool, opened at once. */
async function poolPids(factory: PostgresFactory, count: number): Promise<number[]> {
  const results = await Promise.all(
    Array.from({ length: count }, () =>
      factory.datastore.pool.query({
        text: 'SELECT pg_backend_pid(), pg_sleep(0.05)',
        rowMode: 'array',
      }),
    ),
  );
  return [...new Set(results.map((r) => (r.rows[0] as [number])[0]))];
}

async function terminate(pids: readonly number[]): Promise<void> {
  const client = await rawClient();
  try {
    await client.query({
      text: 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid',
      values: [pids],
    });
  } finally {
    await client.end();
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (check()) return;
    await sleep(20);
  }
  throw new Error(`gave up waiting until ${what}`);
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('errors of background work', () => {
    test("an application's onError receives the pool's lost idle connections, and the application goes on working", async () => {
      const reported: [string, Error][] = [];
      const app = new Application({
        name: `${prefix}_app`,
        env: { ...baseEnv, PERSISTENCE_MODULE: 'postgres' },
        onError: (error, source) => reported.push([source, error]),
      });
      try {
        const [id] = await app.recorder.insertEvents([event()]);
        const factory = app.factory as PostgresFactory;
        const pids = await poolPids(factory, 2);
        await terminate(pids);
        await until('reported', () => reported.length >= pids.length);
        assert.deepEqual(
          reported.map(([source]) => source),
          pids.map(() => 'pool'),
        );
        assert.match(reported[0]?.[1].message ?? '', /terminat/);
        const [next] = await app.recorder.insertEvents([event()]);
        assert.ok(next !== undefined && id !== undefined && next > id);
        assert.equal((await app.recorder.selectNotifications(1, 10)).length, 2);
      } finally {
        await app.close();
      }
    });

    test('without a hook, the first error of each source is one process warning, never a crash', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => {
        if (warning.name === 'EventSourcingWarning') warnings.push(warning.message);
      };
      process.on('warning', onWarning);
      const factory = new PostgresFactory(new Environment(`${prefix}_warn`, baseEnv));
      try {
        const recorder = factory.applicationRecorder();
        await recorder.insertEvents([event()]);
        await terminate(await poolPids(factory, 3));
        await until('warned', () => warnings.length > 0);
        // Every terminated idle connection has left the pool (else the next query may get one).
        await until('emptied', () => factory.datastore.pool.totalCount === 0);
        await terminate(await poolPids(factory, 2));
        await sleep(200);
        assert.equal(warnings.length, 1, warnings.join('\n'));
        assert.match(warnings[0] ?? '', /^pool: .*terminat.*pass an onError hook/);
        assert.equal((await recorder.selectNotifications(1, 10)).length, 1);
      } finally {
        process.off('warning', onWarning);
        await factory.close();
      }
    });

    test('a hook that throws is reported as a warning, not a crash', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => {
        if (warning.name === 'EventSourcingWarning') warnings.push(warning.message);
      };
      process.on('warning', onWarning);
      const factory = new PostgresFactory(new Environment(`${prefix}_throw`, baseEnv), {
        onError: () => {
          throw new Error('hook failed');
        },
      });
      try {
        await factory.applicationRecorder().insertEvents([event()]);
        await terminate(await poolPids(factory, 1));
        await until('warned', () => warnings.length > 0);
        assert.match(warnings[0] ?? '', /onError hook threw Error: hook failed/);
      } finally {
        process.off('warning', onWarning);
        await factory.close();
      }
    });
  });
});
