/**
 * The note search index on SQLite, with FTS5 (built into better-sqlite3's SQLite): a table of
 * the notes, and a full-text index of their titles and bodies that reads its text from that
 * table ("external content") and is kept in step with it by triggers.
 */
import type { Tracking } from 'eventsourcing/persistence';
import {
  SQLiteTrackingRecorder,
  type SqliteDatabase,
  type SqliteStatement,
} from 'eventsourcing/sqlite';
import type { SearchHit, SearchView } from './search-view.js';

/**
 * A SQLite view: `notes` and `notes_fts` beside the `tracking` table, in the file that
 * `SQLITE_DBNAME` (scoped by the projection's name: `NOTESEARCH_SQLITE_DBNAME`) names.
 */
export class SQLiteSearchView extends SQLiteTrackingRecorder implements SearchView {
  private insertNote!: SqliteStatement;
  private updateNoteBody!: SqliteStatement;
  private deleteNote!: SqliteStatement;
  private match!: SqliteStatement;

  override createTableStatements(): string[] {
    return [
      'CREATE TABLE IF NOT EXISTS notes (' +
        'id INTEGER PRIMARY KEY, note_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, body TEXT NOT NULL)',
      // The porter tokenizer stems words, so that "trained" finds "training".
      'CREATE VIRTUAL TABLE IF NOT EXISTS notes_fts USING fts5(' +
        "title, body, content='notes', content_rowid='id', tokenize='porter unicode61')",
      `CREATE TRIGGER IF NOT EXISTS notes_ai AFTER INSERT ON notes BEGIN
         INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
       END`,
      `CREATE TRIGGER IF NOT EXISTS notes_ad AFTER DELETE ON notes BEGIN
         INSERT INTO notes_fts (notes_fts, rowid, title, body)
           VALUES ('delete', old.id, old.title, old.body);
       END`,
      `CREATE TRIGGER IF NOT EXISTS notes_au AFTER UPDATE ON notes BEGIN
         INSERT INTO notes_fts (notes_fts, rowid, title, body)
           VALUES ('delete', old.id, old.title, old.body);
         INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
       END`,
    ];
  }

  protected override prepare(db: SqliteDatabase): void {
    super.prepare(db);
    this.insertNote = db.prepare('INSERT INTO notes (note_id, title, body) VALUES (?, ?, ?)');
    this.updateNoteBody = db.prepare('UPDATE notes SET body = ? WHERE note_id = ?');
    this.deleteNote = db.prepare('DELETE FROM notes WHERE note_id = ?');
    this.match = db.prepare(
      'SELECT n.note_id AS noteId, n.title FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid ' +
        'WHERE notes_fts MATCH ? ORDER BY rank LIMIT ?',
    );
  }

  putNote(noteId: string, title: string, body: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.insertNote.run(noteId, title, body);
    });
  }

  updateBody(noteId: string, body: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.updateNoteBody.run(body, noteId);
    });
  }

  removeNote(noteId: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.deleteNote.run(noteId);
    });
  }

  async search(query: string, { limit = 10 }: { limit?: number } = {}): Promise<SearchHit[]> {
    // Each word quoted: FTS5 then reads the query as words that must all appear, not as syntax.
    const words = query.match(/[\p{L}\p{N}_]+/gu) ?? [];
    if (words.length === 0) return [];
    await this.ready();
    return this.match.all(words.map((w) => `"${w}"`).join(' '), limit) as SearchHit[];
  }

  /** Empties the index, for a rebuild (`runner.rebuild()`), in the transaction that resets it. */
  protected override clear(db: SqliteDatabase): void {
    db.exec('DELETE FROM notes');
  }
}
