/**
 * The counting view of the projections benchmark, on each backend: one counter row per event
 * class. `increment` adds one for one event through the view's `transaction(tracking, …)`, as
 * a user's view would be written (see docs/projections.md); `add` adds a batch's counts in one
 * statement, which is what the benchmark's projection uses (its `processBatch`).
 */

import { MemoryTrackingRecorder } from 'eventsourcing/memory';
import type { Tracking, TrackingRecorder } from 'eventsourcing/persistence';
import { PostgresTrackingRecorder } from 'eventsourcing/postgres';
import {
  SQLiteTrackingRecorder,
  type SqliteDatabase,
  type SqliteStatement,
} from 'eventsourcing/sqlite';
import type { BackendName } from './backends.js';

/** What the benchmark's projection calls: a counter per name, and the sum of all counters. */
export interface CountingView extends TrackingRecorder {
  /** Adds one to the counter `name`, recording `tracking` in the same transaction. */
  increment(name: string, tracking: Tracking): Promise<void>;
  /** Adds each count to its counter in one statement, recording `tracking` with them. */
  add(counts: ReadonlyMap<string, number>, tracking: Tracking): Promise<void>;
  /** The sum of every counter: the events counted. */
  total(): Promise<number>;
}

/** The counting view in memory. */
export class MemoryCountingView extends MemoryTrackingRecorder implements CountingView {
  private readonly counts = new Map<string, number>();

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    });
  }

  add(counts: ReadonlyMap<string, number>, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      for (const [name, n] of counts) this.counts.set(name, (this.counts.get(name) ?? 0) + n);
    });
  }

  async total(): Promise<number> {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
}

/** The counting view in a SQLite file (a `counters` table next to `tracking`). */
export class SQLiteCountingView extends SQLiteTrackingRecorder implements CountingView {
  private incrementStatement!: SqliteStatement;
  private addStatement!: SqliteStatement;
  private totalStatement!: SqliteStatement;

  override createTableStatements(): string[] {
    return ['CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, count INTEGER NOT NULL)'];
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.incrementStatement = db.prepare(
      'INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET count = count + 1',
    );
    this.addStatement = db.prepare(
      'INSERT INTO counters VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET count = count + excluded.count',
    );
    this.totalStatement = db.prepare('SELECT coalesce(sum(count), 0) FROM counters').pluck();
  }

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.incrementStatement.run(name);
    });
  }

  add(counts: ReadonlyMap<string, number>, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      for (const [name, n] of counts) this.addStatement.run(name, n);
    });
  }

  async total(): Promise<number> {
    await this.ready();
    return Number(this.totalStatement.get());
  }
}

/** The counting view in PostgreSQL (`{tracking table}_counters`). */
export class PostgresCountingView extends PostgresTrackingRecorder implements CountingView {
  private get counters(): string {
    return this.qualifiedName(`${this.tableName}_counters`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.counters} (name text PRIMARY KEY, count bigint NOT NULL)`,
    ];
  }

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(
        `INSERT INTO ${this.counters} AS c VALUES ($1, 1) ON CONFLICT (name) ` +
          'DO UPDATE SET count = c.count + 1',
        [name],
        { prepare: true },
      );
    });
  }

  add(counts: ReadonlyMap<string, number>, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(
        `INSERT INTO ${this.counters} AS c SELECT * FROM unnest($1::text[], $2::bigint[]) ` +
          'ON CONFLICT (name) DO UPDATE SET count = c.count + excluded.count',
        [[...counts.keys()], [...counts.values()]],
        { prepare: true },
      );
    });
  }

  async total(): Promise<number> {
    const rows = await this.select<{ total: string }>(
      `SELECT coalesce(sum(count), 0) AS total FROM ${this.counters}`,
    );
    return Number(rows[0]?.total ?? 0);
  }
}

/** The counting view class of a backend. */
export function countingViewClass(
  backend: BackendName,
): typeof MemoryCountingView | typeof SQLiteCountingView | typeof PostgresCountingView {
  if (backend === 'memory') return MemoryCountingView;
  if (backend === 'sqlite') return SQLiteCountingView;
  return PostgresCountingView;
}
