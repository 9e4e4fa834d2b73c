import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { OperationalError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { PostgresFactory, PostgresTrackingRecorder } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { FaultApp, type FaultItem, newItem } from './fixtures/fault-app.js';

const prefix = `es_health_${randomBytes(4).toString('hex')}`;
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Terminates the backends from another process while this one's event loop is blocked, so
 * that a pooled connection is dead but its client has not read the news yet: the case a
 * connection killed while idle (a failover, a pooler, a firewall) leaves to the next write.
 */
function terminateUnnoticed(pids: readonly number[]): void {
  const script = `
    const pg = require('pg');
    const c = new pg.Client(${JSON.stringify({
      host: baseEnv.POSTGRES_HOST,
      port: Number(baseEnv.POSTGRES_PORT),
      user: baseEnv.POSTGRES_USER,
      password: baseEnv.POSTGRES_PASSWORD,
      database: baseEnv.POSTGRES_DBNAME,
    })});
    c.connect()
      .then(() => c.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid', [${JSON.stringify(pids)}]))
      // Wait until the backends are gone, so that their farewell is on this client's socket.
      .then(async () => {
        for (let i = 0; i < 100; i++) {
          const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])', [${JSON.stringify(pids)}]);
          if (r.rows[0].n === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error('backends still there');
      })
      .then(() => c.end(), (e) => { console.error(e); process.exit(1); });
  `;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

/** An application on PostgreSQL whose pool has one connection, and that connection's pid. */
async function oneConnectionApp(name: string, prePing: boolean) {
  const env = {
    ...baseEnv,
    PERSISTENCE_MODULE: 'postgres',
    POSTGRES_POOL_SIZE: '1',
    POSTGRES_MAX_OVERFLOW: '0',
    POSTGRES_PRE_PING: prePing ? 'y' : 'n',
  };
  const app = new FaultApp({ name, env, onError: () => {} });
  const pool = (app.factory as PostgresFactory).datastore.pool as unknown as {
    on(event: 'connect', fn: (client: { processID: number }) => void): void;
  };
  const pids: number[] = [];
  pool.on('connect', (client) => pids.push(client.processID));
  const first = newItem('h', 1);
  await app.save(first);
  assert.equal(pids.length, 1);
  return { app, pids, first };
}

/** A view whose command waits `ms` inside its transaction before its last statement. */
class SlowView extends PostgresTrackingRecorder {
  get rows(): string {
    return this.qualifiedName(`${this.tableName}_rows`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.rows} (name text PRIMARY KEY)`,
    ];
  }

  /** Inserts `name`, waits, then inserts `${name}-after` (when `queryAfter`). */
  add(name: string, tracking: Tracking, ms: number, queryAfter: boolean): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(`INSERT INTO ${this.rows} VALUES ($1)`, [name]);
      await sleep(ms);
      if (queryAfter) await client.query(`INSERT INTO ${this.rows} VALUES ($1)`, [`${name}-after`]);
    });
  }

  async names(): Promise<string[]> {
    const rows = await this.select<{ name: string }>(`SELECT name FROM ${this.rows} ORDER BY name`);
    return rows.map((r) => r.name);
  }
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('pooled connections killed while idle', () => {
    test('with POSTGRES_PRE_PING=y, a dead pooled connection is replaced before a write uses it: the write succeeds', async () => {
      const { app, pids, first } = await oneConnectionApp(`${prefix}_ping`, true);
      try {
        for (let round = 0; round < 3; round++) {
          terminateUnnoticed([pids.at(-1)!]);
          const item = await app.repository.get<FaultItem>(first.id);
          item.step(item.version + 1);
          terminateUnnoticed([pids.at(-1)!]);
          // Nothing awaited between the kill and the save: the client has not seen it yet.
          await app.save(item);
          assert.equal((await app.repository.get<FaultItem>(first.id)).version, round + 3);
        }
        assert.ok(pids.length >= 4, `${pids.length} connections opened`);
      } finally {
        await app.close();
      }
    });

    test('with pre-ping off, the write on a dead pooled connection fails with an OperationalError and stores nothing; the next call (a retry of the same save) succeeds', async () => {
      const { app, pids, first } = await oneConnectionApp(`${prefix}_noping`, false);
      try {
        const item = await app.repository.get<FaultItem>(first.id);
        item.step(item.version + 1);
        terminateUnnoticed([pids.at(-1)!]);
        await assert.rejects(app.save(item), (error: unknown) => {
          assert.ok(error instanceof OperationalError, String(error));
          assert.match(error.message, /connection|terminating/i);
          return true;
        });
        assert.equal((await app.repository.get<FaultItem>(first.id)).version, 2);
        // The failed save gave the item its pending event back: saving it again stores it.
        await app.save(item);
        assert.equal((await app.repository.get<FaultItem>(first.id)).version, 3);
        assert.equal(pids.length, 2);
      } finally {
        await app.close();
      }
    });
  });

  describe('POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT', () => {
    const factory = new PostgresFactory(
      new Environment(`${prefix}_idle`, {
        ...baseEnv,
        POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: '1',
        POSTGRES_POOL_SIZE: '2',
      }),
      { onError: () => {} },
    );
    const view = factory.trackingRecorder(SlowView);
    after(() => factory.close());

    for (const queryAfter of [true, false]) {
      test(`a view transaction whose fn waits longer than the timeout${queryAfter ? ' and then queries' : ''} fails with a clear OperationalError and changes nothing; the pool stays healthy`, async () => {
        const app = queryAfter ? 'up-query' : 'up-return';
        await view.add(`${app}-quick`, { applicationName: app, notificationId: 1 }, 0, true);
        await assert.rejects(
          view.add(`${app}-slow`, { applicationName: app, notificationId: 2 }, 2000, queryAfter),
          (error: unknown) => {
            assert.ok(error instanceof OperationalError, String(error));
            assert.match(error.message, /ended the transaction's session before it committed/);
            assert.match(error.message, /idle-in-transaction timeout/);
            assert.match(error.message, /nothing of the transaction was recorded/);
            assert.match(error.message, /POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT \(1 s\)/);
            return true;
          },
        );
        assert.equal(await view.maxTrackingId(app), 1);
        assert.deepEqual(
          (await view.names()).filter((n) => n.startsWith(app)),
          [`${app}-quick`, `${app}-quick-after`],
        );
        // The pool goes on: several transactions at once, each on a live connection.
        await Promise.all(
          [2, 3, 4].map((n) =>
            view.add(`${app}-${n}`, { applicationName: `${app}-${n}`, notificationId: n }, 0, true),
          ),
        );
        assert.equal(await view.maxTrackingId(`${app}-4`), 4);
      });
    }
  });
});
