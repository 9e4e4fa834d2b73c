import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import {
  SQLiteTrackingRecorder,
  type SqliteDatabase,
  type SqliteStatement,
} from '../../src/sqlite/index.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

/** A user's view: a counter per name, updated with the tracking of what it counted. */
class Counters extends SQLiteTrackingRecorder {
  private increment!: SqliteStatement;
  private select!: SqliteStatement;

  override createTableStatements(): string[] {
    return ['CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, count INTEGER)'];
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.increment = db.prepare(
      'INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET count = count + 1',
    );
    this.select = db.prepare('SELECT count FROM counters WHERE name = ?').pluck();
  }

  /** Counts one more `name`, recording the tracking in the same transaction. */
  async incrementCount(name: string, tracking: Tracking): Promise<number> {
    return this.transaction(tracking, () => {
      this.increment.run(name);
      return this.select.get(name) as number;
    });
  }

  /** Counts, then fails: nothing of it may stay. */
  async incrementThenFail(name: string, tracking: Tracking): Promise<void> {
    await this.transaction(tracking, () => {
      this.increment.run(name);
      throw new Error('the view failed');
    });
  }

  /** Tries to await inside the transaction. */
  async incrementAsync(name: string, tracking: Tracking): Promise<void> {
    await this.transaction(tracking, async () => {
      this.increment.run(name);
    });
  }

  async getCount(name: string): Promise<number> {
    await this.ready();
    return (this.select.get(name) as number | undefined) ?? 0;
  }
}

const state = new TextEncoder().encode('{}');

describe('SQLite views (tracking recorder subclasses with transaction)', () => {
  test('a view in its own database file counts an application’s events exactly once each, recording tracking in the same transaction', async () => {
    const appFactory = sqliteFactory(tempDbPath('app'));
    const viewFactory = sqliteFactory(tempDbPath('view'));
    const recorder = appFactory.applicationRecorder();
    const view = viewFactory.trackingRecorder(Counters);
    assert.ok(view instanceof Counters);
    await recorder.insertEvents(
      ['Dog.Registered', 'Dog.TrickAdded', 'Dog.TrickAdded'].map((topic) => ({
        originatorId: randomUUID(),
        originatorVersion: 1,
        topic,
        state,
      })),
    );
    const counted: number[] = [];
    for (const n of await recorder.selectNotifications(null, 10)) {
      counted.push(
        await view.incrementCount(n.topic, { applicationName: 'DogSchool', notificationId: n.id }),
      );
    }
    assert.deepEqual(counted, [1, 1, 2]);
    assert.equal(await view.maxTrackingId('DogSchool'), 3);
    assert.equal(await view.getCount('Dog.TrickAdded'), 2);
    // A repeated tracking is an IntegrityError and changes nothing.
    await assert.rejects(
      view.incrementCount('Dog.TrickAdded', { applicationName: 'DogSchool', notificationId: 3 }),
      (error: unknown) =>
        error instanceof IntegrityError &&
        /not greater than current max tracking ID 3/.test(error.message),
    );
    assert.equal(await view.getCount('Dog.TrickAdded'), 2);
    assert.equal(await view.maxTrackingId('DogSchool'), 3);
    // The view's tables are in its own file, not the application's.
    const tables = (f: typeof appFactory) =>
      f.datastore
        .connect()
        .db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .pluck()
        .all();
    assert.deepEqual(tables(viewFactory), ['counters', 'tracking']);
    assert.deepEqual(tables(appFactory), ['stored_events']);
    await appFactory.close();
    await viewFactory.close();
  });

  test('fn throwing, or returning a Promise, changes nothing: neither the view’s rows nor the tracking', async () => {
    const factory = sqliteFactory(tempDbPath());
    const view = factory.trackingRecorder(Counters);
    await view.incrementCount('x', { applicationName: 'up', notificationId: 1 });
    await assert.rejects(
      view.incrementThenFail('x', { applicationName: 'up', notificationId: 2 }),
      /the view failed/,
    );
    await assert.rejects(
      view.incrementAsync('x', { applicationName: 'up', notificationId: 2 }),
      (error: unknown) =>
        error instanceof TypeError && /must do its work synchronously/.test(error.message),
    );
    assert.equal(await view.getCount('x'), 1);
    assert.equal(await view.maxTrackingId('up'), 1);
    // Bad tracking is refused before anything runs.
    await assert.rejects(
      view.incrementCount('x', { applicationName: 'up', notificationId: 1.5 } as Tracking),
      /notificationId/,
    );
    // And the next one goes through.
    assert.equal(await view.incrementCount('x', { applicationName: 'up', notificationId: 2 }), 2);
    await factory.close();
  });
});
