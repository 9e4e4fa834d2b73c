import type { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import {
  PostgresFactory,
  PostgresTrackingRecorder,
  type PostgresTransactionClient,
} from '../../src/postgres/index.js';
import {
  type CountingView,
  recordBatchContract,
  subscriptionPagesContract,
} from '../../src/testing/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

/** A counting view: a table of counters next to the tracking table. */
class PostgresCountingView extends PostgresTrackingRecorder implements CountingView {
  refuseClear = false;

  get counters(): string {
    return this.qualifiedName(`${this.tableName}_counters`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.counters} (name text PRIMARY KEY, n bigint NOT NULL)`,
    ];
  }

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(
        `INSERT INTO ${this.counters} AS c VALUES ($1, 1) ON CONFLICT (name) ` +
          'DO UPDATE SET n = c.n + 1',
        [name],
      );
    });
  }

  async count(name: string): Promise<number> {
    const rows = await this.select<{ n: number }>(
      `SELECT n FROM ${this.counters} WHERE name = $1`,
      [name],
    );
    return rows[0]?.n ?? 0;
  }

  protected override async clear(client: PostgresTransactionClient): Promise<void> {
    if (this.refuseClear) await super.clear(client);
    await client.query(`DELETE FROM ${this.counters}`);
  }
}

// Each test gets a unique name: its tables are prefixed by it, and dropped after the test.
const factories = new WeakMap<object, { factory: InfrastructureFactory; name: string }>();

function make<R extends object>(
  extra: Record<string, string>,
  pick: (factory: PostgresFactory) => R,
): (name: string) => R {
  return (name) => {
    const factory = new PostgresFactory(new Environment(name, { ...baseEnv, ...extra }));
    const recorder = pick(factory);
    factories.set(recorder, { factory, name });
    return recorder;
  };
}

async function dispose(recorder: object): Promise<void> {
  const entry = factories.get(recorder);
  if (entry === undefined) return;
  await entry.factory.close();
  await dropPrefix(entry.name);
}

whenPostgres(() => {
  subscriptionPagesContract(
    make({}, (f) => f.applicationRecorder()),
    { dispose },
  );
  const variants: Record<string, string>[] = [{}, { SINGLE_ROW_TRACKING: 'no' }];
  for (const extra of variants) {
    recordBatchContract(
      make(extra, (f) => f.trackingRecorder(PostgresCountingView)),
      { dispose, rollsBack: true },
    );
  }
});
