import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { PostgresFactory, PostgresTrackingRecorder } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

/** A view with one counter, which nothing but the tracking protects from counting twice. */
class CounterView extends PostgresTrackingRecorder {
  get counters(): string {
    return this.qualifiedName(`${this.tableName}_counter`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.counters} (name text PRIMARY KEY, n bigint NOT NULL)`,
    ];
  }

  increment(tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(
        `INSERT INTO ${this.counters} AS c VALUES ('events', 1) ON CONFLICT (name) ` +
          'DO UPDATE SET n = c.n + 1',
        [],
        { prepare: true },
      );
    });
  }

  async count(): Promise<number> {
    const rows = await this.select<{ n: number }>(`SELECT n FROM ${this.counters}`);
    return rows[0]?.n ?? 0;
  }
}

let counter = 0;
const opened: Array<{ factory: PostgresFactory; name: string }> = [];

function openView(name: string, extra: Record<string, string> = {}): CounterView {
  const factory = new PostgresFactory(new Environment(name, { ...baseEnv, ...extra }));
  opened.push({ factory, name });
  return factory.trackingRecorder(CounterView);
}

const upstream = (notificationId: number, applicationName = 'Upstream'): Tracking => ({
  applicationName,
  notificationId,
});

/** Processes `from`..`to` in one batch on `view`, waiting for `gate` before committing. */
async function batch(
  view: CounterView,
  from: number,
  to: number,
  gate: Promise<void> = Promise.resolve(),
  applicationName?: string,
): Promise<void> {
  await view.recordBatch(upstream(to, applicationName), async () => {
    for (let id = from; id <= to; id++) await view.increment(upstream(id, applicationName));
    await gate;
  });
}

whenPostgres(() => {
  describe('PostgreSQL recordBatch under concurrency', () => {
    afterEach(async () => {
      for (const { factory, name } of opened.splice(0)) {
        await factory.close();
        await dropPrefix(name);
      }
    });

    const cases = [
      { existing: false, singleRow: true },
      { existing: true, singleRow: true },
      { existing: false, singleRow: false },
      { existing: true, singleRow: false },
    ];
    for (const { existing, singleRow } of cases) {
      const what = `${existing ? 'after earlier batches' : 'first batch'}, ${singleRow ? 'single-row' : 'multi-row'} tracking`;
      it(`checks a batch against what a concurrent batch committed (${what})`, async () => {
        const name = `RecordBatchLock${process.pid}x${++counter}`;
        const env: Record<string, string> = singleRow ? {} : { SINGLE_ROW_TRACKING: 'no' };
        const first = openView(name, env);
        const second = openView(name, env);
        const base = existing ? 10 : 0;
        if (existing) await batch(first, 1, base);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        // The first batch holds its transaction open after counting base+1..base+5.
        const held = batch(first, base + 1, base + 5, gate);
        await new Promise((resolve) => setTimeout(resolve, 100));
        // A second runner's batch over an overlapping range (base+1..base+8) must wait for the
        // first, then meet its position, instead of counting base+1..base+5 again.
        const overlapping = batch(second, base + 1, base + 8);
        await new Promise((resolve) => setTimeout(resolve, 100));
        release();
        await held;
        await assert.rejects(overlapping, (error: unknown) => {
          assert.ok(error instanceof IntegrityError, String(error));
          assert.match((error as Error).message, /not greater than current max tracking ID/);
          return true;
        });
        assert.equal(await first.count(), base + 5);
        assert.equal(await second.maxTrackingId('Upstream'), base + 5);
        // The second runner then resumes from the recorded position, counting each event once.
        await batch(second, base + 6, base + 8);
        assert.equal(await first.count(), base + 8);
      });
    }

    it('records an application name with quotes and backslashes, and refuses it twice', async () => {
      const name = `RecordBatchQuote${process.pid}x${++counter}`;
      const view = openView(name);
      const applicationName = "O'Brien\\School ''x";
      await batch(view, 1, 3, Promise.resolve(), applicationName);
      await batch(view, 4, 6, Promise.resolve(), applicationName);
      assert.equal(await view.maxTrackingId(applicationName), 6);
      assert.equal(await view.maxTrackingId('Upstream'), null);
      await assert.rejects(
        batch(view, 6, 6, Promise.resolve(), applicationName),
        (error: unknown) => error instanceof IntegrityError,
      );
      assert.equal(await view.count(), 6);
    });
  });
});
