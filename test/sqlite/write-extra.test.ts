import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { InsertEventsOptions } from '../../src/persistence/recorders.js';
import {
  SQLiteApplicationRecorder,
  type SqliteConnection,
  type SqliteDatabase,
  type SqliteStatement,
} from '../../src/sqlite/index.js';
import { sqliteFactory, tempDbPath } from './helpers.js';

const state = new TextEncoder().encode('{}');
const event = (originatorId: string = randomUUID()) => ({
  originatorId,
  originatorVersion: 1,
  topic: 't:E',
  state,
});

/** A custom recorder that writes pages with each save (Python's `insert_pages` example). */
class PagesRecorder extends SQLiteApplicationRecorder {
  private insertPage!: SqliteStatement;

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      'CREATE TABLE IF NOT EXISTS pages (slug TEXT PRIMARY KEY, body TEXT)',
    ];
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.insertPage = db.prepare('INSERT INTO pages VALUES (?, ?)');
  }

  protected override writeExtra(
    _c: SqliteConnection,
    options: InsertEventsOptions | undefined,
    ids: readonly number[] | null,
  ) {
    const pages = (options?.pages ?? []) as [string, string][];
    for (const [slug, body] of pages) this.insertPage.run(slug, `${body} ${ids!.join(',')}`);
  }

  pages(): Promise<unknown[]> {
    return this.ready().then(() =>
      this.datastore.connect().db.prepare('SELECT slug FROM pages ORDER BY slug').pluck().all(),
    );
  }

  bodies(): Promise<unknown[]> {
    return this.ready().then(() =>
      this.datastore.connect().db.prepare('SELECT body FROM pages ORDER BY slug').pluck().all(),
    );
  }
}

describe('SQLite writeExtra', () => {
  test('a custom recorder’s extra write happens on one-event and many-event saves alike', async () => {
    const factory = sqliteFactory(tempDbPath());
    const recorder = new PagesRecorder(factory.datastore);
    await recorder.insertEvents([event()], { pages: [['a', 'one event']] });
    await recorder.insertEvents([event(), event()], { pages: [['b', 'two events']] });
    assert.deepEqual(await recorder.pages(), ['a', 'b']);
    // It is given the notification ids of the save's events.
    assert.deepEqual(await recorder.bodies(), ['one event 1', 'two events 2,3']);
    assert.equal(await recorder.maxNotificationId(), 3);
    await recorder.close();
    await factory.close();
  });

  test('a failing extra write stores nothing of the save, with one event or many', async () => {
    const factory = sqliteFactory(tempDbPath());
    const recorder = new PagesRecorder(factory.datastore);
    await recorder.insertEvents([event()], { pages: [['a', 'first']] });
    for (const events of [[event()], [event(), event()]]) {
      // A duplicate slug: the page insert fails after the events were inserted.
      await assert.rejects(recorder.insertEvents(events, { pages: [['a', 'again']] }), /UNIQUE/);
      assert.equal(await recorder.maxNotificationId(), 1);
      assert.deepEqual(await recorder.pages(), ['a']);
    }
    await recorder.close();
    await factory.close();
  });
});
