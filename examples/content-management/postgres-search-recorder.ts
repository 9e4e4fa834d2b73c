/**
 * The search index's recorder on PostgreSQL: a process recorder (the events and tracking
 * tables) with a table of the pages whose `tsvector` column the server computes from the title
 * and body (`to_tsvector`, titles weighted above bodies), a GIN index on it, and searches with
 * `websearch_to_tsquery` (words, "quoted phrases", `or`), ranked by `ts_rank`. The rows are
 * written by `writeExtra`, inside the transaction of the events and the tracking.
 */
import { registerTopic } from 'eventsourcing/domain';
import type { InsertEventsOptions } from 'eventsourcing/persistence';
import { PostgresProcessRecorder, type PostgresTransactionClient } from 'eventsourcing/postgres';
import { POSTGRES_SEARCH_RECORDER } from './search-index.js';
import { pageRowsOf, type SearchRecorder } from './search-recorder.js';

/**
 * Keeps the pages' full-text index beside the search index's events: its table is named after
 * the events table (`searchindex_pages` beside `searchindex_events`), in the same schema.
 */
export class PostgresSearchRecorder extends PostgresProcessRecorder implements SearchRecorder {
  /** The events table's prefix (the application's name, lower-cased). */
  private readonly prefix = this.tableName.replace(/_events$/, '');
  /** The pages table, qualified and quoted. */
  private readonly pages = this.qualifiedName(`${this.prefix}_pages`);

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.pages} (
         page_id uuid PRIMARY KEY,
         slug text NOT NULL,
         title text NOT NULL,
         body text NOT NULL,
         search tsvector GENERATED ALWAYS AS (
           setweight(to_tsvector('english', title), 'A') ||
           setweight(to_tsvector('english', body), 'B')
         ) STORED
       )`,
      // An index lives in its table's schema: its name is not qualified.
      `CREATE INDEX IF NOT EXISTS "${this.prefix}_pages_search" ON ${this.pages} USING gin (search)`,
    ];
  }

  /** Only saves that index pages need a transaction of their own. */
  protected override hasExtraWrites(options: InsertEventsOptions | undefined): boolean {
    return pageRowsOf(options).length > 0;
  }

  /** Writes the pages that came with the events, in their transaction. */
  protected override async writeExtra(
    client: PostgresTransactionClient,
    options: InsertEventsOptions | undefined,
  ): Promise<void> {
    for (const row of pageRowsOf(options)) {
      await client.query(
        `INSERT INTO ${this.pages} (page_id, slug, title, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (page_id) DO UPDATE
         SET slug = excluded.slug, title = excluded.title, body = excluded.body`,
        [row.pageId, row.slug, row.title, row.body],
      );
    }
  }

  async searchPages(query: string): Promise<string[]> {
    const rows = await this.select<{ page_id: string }>(
      `SELECT page_id FROM ${this.pages}, websearch_to_tsquery('english', $1) q
       WHERE search @@ q ORDER BY ts_rank(search, q) DESC, page_id`,
      [query],
    );
    return rows.map((row) => row.page_id);
  }
}

registerTopic(POSTGRES_SEARCH_RECORDER, PostgresSearchRecorder);
