// The transaction seam of PostgreSQL views: a user's view class (a PostgresTrackingRecorder
// subclass with a table of its own) whose commands write their rows and the tracking together.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { IntegrityError, ProgrammingError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import {
  PostgresFactory,
  PostgresTrackingRecorder,
  type PostgresTransactionClient,
} from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const prefix = `es_tx_${randomBytes(4).toString('hex')}`;

/** A view of counters: its own table, created with the tracking table, and one command. */
class CountersView extends PostgresTrackingRecorder {
  /** The client of the last transaction, kept only to show that it stops working. */
  lastClient: PostgresTransactionClient | null = null;

  get counters(): string {
    return this.qualifiedName(`${this.tableName}_counters`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.counters} (name text PRIMARY KEY, count bigint NOT NULL)`,
    ];
  }

  /** Adds one to the counter; `during` runs inside the transaction, after the update. */
  increment(
    name: string,
    tracking: Tracking,
    during?: (client: PostgresTransactionClient) => Promise<void>,
  ): Promise<number> {
    return this.transaction(tracking, async (client) => {
      this.lastClient = client;
      const { rows } = await client.query<{ count: number }>(
        `INSERT INTO ${this.counters} AS c VALUES ($1, 1) ON CONFLICT (name) ` +
          'DO UPDATE SET count = c.count + 1 RETURNING count',
        [name],
      );
      await during?.(client);
      return rows[0]!.count;
    });
  }

  async count(name: string): Promise<number | null> {
    const rows = await this.select<{ count: number }>(
      `SELECT count FROM ${this.counters} WHERE name = $1`,
      [name],
    );
    return rows[0]?.count ?? null;
  }

  /** Calls the protected seam directly, for argument checks. */
  raw(tracking: unknown, fn: unknown): Promise<unknown> {
    return this.transaction(tracking as Tracking, fn as () => Promise<void>);
  }
}

whenPostgres(() => {
  const factory = new PostgresFactory(new Environment(prefix, baseEnv));
  const view = factory.trackingRecorder(CountersView);
  after(async () => {
    await factory.close();
    await dropPrefix(prefix);
  });

  describe('PostgresTrackingRecorder.transaction', () => {
    test("a view's command updates its row and the tracking together", async () => {
      assert.equal(await view.increment('a', { applicationName: 'up', notificationId: 1 }), 1);
      assert.equal(await view.count('a'), 1);
      assert.equal(await view.maxTrackingId('up'), 1);
      assert.equal(await view.increment('a', { applicationName: 'up', notificationId: 2 }), 2);
      assert.equal(await view.maxTrackingId('up'), 2);
    });

    test('a repeated or older tracking is IntegrityError and changes nothing', async () => {
      for (const notificationId of [2, 1]) {
        await assert.rejects(
          view.increment('a', { applicationName: 'up', notificationId }),
          (error: Error) =>
            error instanceof IntegrityError &&
            /not greater than current max tracking ID 2/.test(error.message),
        );
      }
      assert.equal(await view.count('a'), 2);
      assert.equal(await view.maxTrackingId('up'), 2);
    });

    test('fn throwing rolls back: neither its row nor the tracking is recorded, and the error is its own', async () => {
      const boom = new Error('boom');
      await assert.rejects(
        view.increment('b', { applicationName: 'up', notificationId: 3 }, async () => {
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.equal(await view.count('b'), null);
      assert.equal(await view.maxTrackingId('up'), 2);
      // The position was not consumed.
      assert.equal(await view.increment('b', { applicationName: 'up', notificationId: 3 }), 1);
    });

    test("a failing statement of fn's is the library's error, and rolls back", async () => {
      await assert.rejects(
        view.increment('c', { applicationName: 'up', notificationId: 4 }, async (client) => {
          await client.query(`INSERT INTO ${view.counters} VALUES ('a', 1)`);
        }),
        IntegrityError,
      );
      assert.equal(await view.count('c'), null);
      assert.equal(await view.count('a'), 2);
      assert.equal(await view.maxTrackingId('up'), 3);
    });

    test('concurrent commands for different upstream applications all commit', async () => {
      const n = 20;
      const counts = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          view.increment('d', { applicationName: `up-${i}`, notificationId: 1 }),
        ),
      );
      assert.deepEqual(
        counts.sort((x, y) => x - y),
        Array.from({ length: n }, (_, i) => i + 1),
      );
      assert.equal(await view.count('d'), n);
    });

    test('concurrent commands for one upstream application each do their work once or not at all', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => 100 + i);
      // Every command twice: one of each pair, at most, may commit.
      const results = await Promise.allSettled(
        [...ids, ...ids].map((notificationId) =>
          view.increment('e', { applicationName: 'same', notificationId }),
        ),
      );
      const done = results.filter((r) => r.status === 'fulfilled').length;
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof IntegrityError, String(r.reason));
      }
      assert.ok(done >= 1 && done <= ids.length, `${done} committed`);
      assert.equal(await view.count('e'), done);
      // The recorded position is the greatest committed one, never a lower one after it.
      const max = await view.maxTrackingId('same');
      assert.ok(max !== null && ids.includes(max));
      await assert.rejects(
        view.increment('e', { applicationName: 'same', notificationId: max }),
        IntegrityError,
      );
    });

    test('a dropped connection rolls back and the connection is discarded, not returned to the pool', async () => {
      const pool = view.datastore.pool;
      await view.increment('f', { applicationName: 'drop', notificationId: 1 });
      const total = pool.totalCount;
      await assert.rejects(
        view.increment('f', { applicationName: 'drop', notificationId: 2 }, async (client) => {
          await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
        }),
      );
      assert.equal(pool.totalCount, total - 1);
      assert.equal(await view.count('f'), 1);
      assert.equal(await view.maxTrackingId('drop'), 1);
      assert.equal(await view.increment('f', { applicationName: 'drop', notificationId: 2 }), 2);
    });

    test('the client lent to fn stops working when the transaction ends', async () => {
      await view.increment('g', { applicationName: 'up', notificationId: 5 });
      const kept = view.lastClient!;
      await assert.rejects(kept.query('SELECT 1'), ProgrammingError);
    });

    test('bad arguments are rejected before anything is written', async () => {
      await assert.rejects(view.raw({ applicationName: 'up', notificationId: 6 }, null), TypeError);
      await assert.rejects(view.raw({ applicationName: 'up' }, async () => {}));
      assert.equal(await view.maxTrackingId('up'), 5);
    });
  });
});
