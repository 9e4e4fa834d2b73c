/**
 * The search index's recorder on SQLite: a process recorder (`stored_events` and `tracking`)
 * with a table of the pages and an FTS5 full-text index of their titles and bodies, which reads
 * its text from that table ("external content") and is kept in step with it by triggers. The
 * rows are written by `writeExtra`, inside the transaction of the events and the tracking.
 */
import { registerTopic } from 'eventsourcing/domain';
import type { InsertEventsOptions } from 'eventsourcing/persistence';
import {
  SQLiteProcessRecorder,
  type SqliteConnection,
  type SqliteDatabase,
  type SqliteStatement,
} from 'eventsourcing/sqlite';
import { SQLITE_SEARCH_RECORDER } from './search-index.js';
import { pageRowsOf, type SearchRecorder } from './search-recorder.js';

/** Keeps the pages' full-text index in the search index's SQLite file. */
export class SQLiteSearchRecorder extends SQLiteProcessRecorder implements SearchRecorder {
  private upsertPage!: SqliteStatement;
  private match!: SqliteStatement;

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      'CREATE TABLE IF NOT EXISTS pages (id INTEGER PRIMARY KEY, page_id TEXT NOT NULL UNIQUE, ' +
        'slug TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)',
      // The porter tokenizer stems words, so that "cats" finds "cat".
      'CREATE VIRTUAL TABLE IF NOT EXISTS pages_fts USING fts5(' +
        "title, body, content='pages', content_rowid='id', tokenize='porter unicode61')",
      `CREATE TRIGGER IF NOT EXISTS pages_ai AFTER INSERT ON pages BEGIN
         INSERT INTO pages_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
       END`,
      `CREATE TRIGGER IF NOT EXISTS pages_au AFTER UPDATE ON pages BEGIN
         INSERT INTO pages_fts (pages_fts, rowid, title, body)
           VALUES ('delete', old.id, old.title, old.body);
         INSERT INTO pages_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
       END`,
    ];
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.upsertPage = db.prepare(
      'INSERT INTO pages (page_id, slug, title, body) VALUES (?, ?, ?, ?) ON CONFLICT (page_id) ' +
        'DO UPDATE SET slug = excluded.slug, title = excluded.title, body = excluded.body',
    );
    this.match = db
      .prepare(
        'SELECT p.page_id FROM pages_fts JOIN pages p ON p.id = pages_fts.rowid ' +
          'WHERE pages_fts MATCH ? ORDER BY rank',
      )
      .pluck();
  }

  /** Writes the pages that came with the events, in their transaction. */
  protected override writeExtra(_c: SqliteConnection, options?: InsertEventsOptions): void {
    for (const row of pageRowsOf(options)) {
      this.upsertPage.run(row.pageId, row.slug, row.title, row.body);
    }
  }

  async searchPages(query: string): Promise<string[]> {
    // Each word quoted, so that FTS5 reads it as a word, never as syntax; OR kept as OR.
    const words = (query.match(/[\p{L}\p{N}_]+/gu) ?? []).map((w) => (w === 'OR' ? w : `"${w}"`));
    while (words[0] === 'OR') words.shift();
    while (words.at(-1) === 'OR') words.pop();
    if (words.length === 0) return [];
    await this.ready();
    return this.match.all(words.join(' ')) as string[];
  }
}

registerTopic(SQLITE_SEARCH_RECORDER, SQLiteSearchRecorder);
