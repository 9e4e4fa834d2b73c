/**
 * The note search index on PostgreSQL: a table of the notes with a `tsvector` column that the
 * server computes from the title and body (`to_tsvector`, titles weighted above bodies), a GIN
 * index on it, and searches with `plainto_tsquery`, ranked by `ts_rank`.
 */
import type { Tracking } from 'eventsourcing/persistence';
import { PostgresTrackingRecorder, type PostgresTransactionClient } from 'eventsourcing/postgres';
import type { SearchHit, SearchView } from './search-view.js';

/**
 * A PostgreSQL view. Its table is named like its tracking table, after the projection
 * (`notesearch_notes` beside `notesearch_tracking` for the `NoteSearch` projection), so that
 * views of two projections of this class never share a table.
 */
export class PostgresSearchView extends PostgresTrackingRecorder implements SearchView {
  /** The projection's name, lower-cased: the prefix of the tracking table's name. */
  private readonly prefix = this.tableName.replace(/_tracking$/, '');
  /** The notes table, qualified and quoted. */
  private readonly notes = this.qualifiedName(`${this.prefix}_notes`);

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.notes} (
         note_id uuid PRIMARY KEY,
         title text NOT NULL,
         body text NOT NULL,
         search tsvector GENERATED ALWAYS AS (
           setweight(to_tsvector('english', title), 'A') ||
           setweight(to_tsvector('english', body), 'B')
         ) STORED
       )`,
      // An index lives in its table's schema: its name is not qualified.
      `CREATE INDEX IF NOT EXISTS "${this.prefix}_notes_search" ON ${this.notes} USING gin (search)`,
    ];
  }

  putNote(noteId: string, title: string, body: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(`INSERT INTO ${this.notes} (note_id, title, body) VALUES ($1, $2, $3)`, [
        noteId,
        title,
        body,
      ]);
    });
  }

  updateBody(noteId: string, body: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(`UPDATE ${this.notes} SET body = $2 WHERE note_id = $1`, [noteId, body]);
    });
  }

  removeNote(noteId: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, async (client) => {
      await client.query(`DELETE FROM ${this.notes} WHERE note_id = $1`, [noteId]);
    });
  }

  async search(query: string, { limit = 10 }: { limit?: number } = {}): Promise<SearchHit[]> {
    return this.select<{ noteId: string; title: string }>(
      `SELECT note_id AS "noteId", title FROM ${this.notes}, plainto_tsquery('english', $1) q
       WHERE search @@ q ORDER BY ts_rank(search, q) DESC, note_id LIMIT $2`,
      [query, limit],
    );
  }

  /** Empties the index, for a rebuild (`runner.rebuild()`), in the transaction that resets it. */
  protected override async clear(client: PostgresTransactionClient): Promise<void> {
    await client.query(`DELETE FROM ${this.notes}`);
  }
}
