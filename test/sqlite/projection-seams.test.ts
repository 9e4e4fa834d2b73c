import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Tracking } from '../../src/persistence/stored-event.js';
import type { SqliteDatabase } from '../../src/sqlite/driver.js';
import { type SQLiteFactory, SQLiteTrackingRecorder } from '../../src/sqlite/index.js';
import {
  type CountingView,
  recordBatchContract,
  subscriptionPagesContract,
} from '../../src/testing/index.js';
import { removeDb, sqliteFactory, tempDbPath } from './helpers.js';

/** A counting view: a table of counters next to the tracking table. */
class SQLiteCountingView extends SQLiteTrackingRecorder implements CountingView {
  refuseClear = false;

  override createTableStatements(): string[] {
    return ['CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)'];
  }

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, (db) => {
      db.prepare(
        'INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1',
      ).run(name);
    });
  }

  async count(name: string): Promise<number> {
    await this.ready();
    const row = this.datastore
      .connect()
      .db.prepare('SELECT n FROM counters WHERE name = ?')
      .get(name) as { n: number } | undefined;
    return row?.n ?? 0;
  }

  protected override clear(db: SqliteDatabase): void {
    if (this.refuseClear) super.clear(db);
    db.prepare('DELETE FROM counters').run();
  }
}

// Each test gets its own database file, deleted when its factory is disposed of.
const made = new WeakMap<object, { factory: SQLiteFactory; path: string }>();

function on<R extends object>(
  vars: Record<string, string>,
  make: (factory: SQLiteFactory) => R,
): (name: string) => R {
  return (name) => {
    const path = tempDbPath(name);
    const factory = sqliteFactory(path, vars);
    const recorder = make(factory);
    made.set(recorder, { factory, path });
    return recorder;
  };
}

async function dispose(recorder: object): Promise<void> {
  const entry = made.get(recorder);
  if (entry === undefined) return;
  await entry.factory.close();
  removeDb(entry.path);
}

describe('SQLite file', () => {
  subscriptionPagesContract(
    on({}, (f) => f.applicationRecorder()),
    { dispose },
  );
  recordBatchContract(
    on({}, (f) => f.trackingRecorder(SQLiteCountingView)),
    { dispose, rollsBack: true },
  );
});

describe('SQLite file, SINGLE_ROW_TRACKING=f', () => {
  recordBatchContract(
    on({ SINGLE_ROW_TRACKING: 'f' }, (f) => f.trackingRecorder(SQLiteCountingView)),
    { dispose, rollsBack: true },
  );
});

describe('waiting for a SQLite view while a batch is open', () => {
  test('maxTrackingId and wait show only committed tracking while a batch is open, and nothing of one rolled back', async () => {
    const path = tempDbPath('batch-wait');
    const factory = sqliteFactory(path);
    try {
      const view = factory.trackingRecorder(SQLiteCountingView);
      await view.ready();
      const up = (notificationId: number): Tracking => ({ applicationName: 'up', notificationId });
      let release: (error?: Error) => void = () => {};
      const gate = new Promise<void>((resolve, reject) => {
        release = (error) => (error ? reject(error) : resolve());
      });
      // A batch that fails after its tracking is written on the connection.
      const failing = view.recordBatch(up(1), async () => {
        await view.increment('a', up(1));
        await gate;
      });
      failing.catch(() => {});
      let settled = false;
      const waiting = view.wait('up', 1, { timeout: 400 }).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      // The connection holds the batch's tracking, not committed: neither shows it.
      assert.equal(await view.maxTrackingId('up'), null);
      assert.equal(settled, false, 'resolved for an uncommitted batch');
      release(new Error('boom'));
      await assert.rejects(failing, /boom/);
      await assert.rejects(waiting, { name: 'TimeoutError' });
      assert.equal(await view.maxTrackingId('up'), null);

      // Committed: the wait resolves once the batch has.
      const gate2 = new Promise<void>((resolve) => {
        release = () => resolve();
      });
      const committing = view.recordBatch(up(1), async () => {
        await view.increment('a', up(1));
        await gate2;
      });
      const resolved = view.wait('up', 1, { timeout: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await committing;
      await resolved;
      assert.equal(await view.count('a'), 1);
    } finally {
      await factory.close();
      removeDb(path);
    }
  });
});

describe('a SQLite batch on a connection shared with an application', () => {
  test('saves on the same connection wait for the batch, and are not rolled back with it', async () => {
    const path = tempDbPath('shared');
    const factory = sqliteFactory(path);
    try {
      const app = factory.applicationRecorder();
      const view = factory.trackingRecorder(SQLiteCountingView);
      await app.ready();
      await view.ready();
      const up = (notificationId: number): Tracking => ({ applicationName: 'up', notificationId });
      let saved: Promise<number[]> | null = null;
      await assert.rejects(
        view.recordBatch(up(2), async () => {
          await view.increment('a', up(1));
          // A save while the batch is open: it waits instead of joining the batch.
          saved = app.insertEvents([
            {
              originatorId: randomUUID(),
              originatorVersion: 1,
              topic: 't',
              state: Uint8Array.of(1),
            },
          ]);
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await saved!, [1]);
      assert.equal(await app.maxNotificationId(), 1);
      assert.equal(await view.count('a'), 0);
      assert.equal(await view.maxTrackingId('up'), null);
      // And the other way round: a batch commits, the saves waiting for it follow.
      await view.recordBatch(up(2), async () => {
        await view.increment('a', up(1));
        saved = app.insertEvents([
          { originatorId: randomUUID(), originatorVersion: 1, topic: 't', state: Uint8Array.of(1) },
          { originatorId: randomUUID(), originatorVersion: 1, topic: 't', state: Uint8Array.of(2) },
        ]);
      });
      assert.deepEqual(await saved!, [2, 3]);
      assert.equal(await view.count('a'), 1);
      assert.equal(await view.maxTrackingId('up'), 2);
    } finally {
      await factory.close();
      removeDb(path);
    }
  });

  test('a batch waits for another connection holding the write lock', async () => {
    const path = tempDbPath('locked');
    const factory = sqliteFactory(path);
    const other = sqliteFactory(path);
    try {
      const view = factory.trackingRecorder(SQLiteCountingView);
      await view.ready();
      const holder = other.trackingRecorder();
      await holder.ready();
      const db = other.datastore.connect().db;
      db.exec('BEGIN IMMEDIATE');
      const up = (notificationId: number): Tracking => ({ applicationName: 'up', notificationId });
      const batch = view.recordBatch(up(1), async () => view.increment('a', up(1)));
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(await view.maxTrackingId('up'), null);
      db.exec('COMMIT');
      await batch;
      assert.equal(await view.maxTrackingId('up'), 1);
      assert.equal(await view.count('a'), 1);
    } finally {
      await factory.close();
      await other.close();
      removeDb(path);
    }
  });
});
