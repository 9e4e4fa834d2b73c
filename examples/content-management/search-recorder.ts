/**
 * What the search index's recorder does, whatever database holds it: it is a process recorder
 * (the search index's events and its tracking of the content application, in one transaction)
 * that also keeps a full-text index of pages, written in that same transaction.
 * sqlite-search-recorder.ts and postgres-search-recorder.ts implement it.
 */
import type { InsertEventsOptions, ProcessRecorder } from 'eventsourcing/persistence';

/** A page as the index holds it: the text to search, under the page's id. */
export interface PageRow {
  readonly pageId: string;
  readonly slug: string;
  readonly title: string;
  readonly body: string;
}

/**
 * A process recorder with a full-text index of pages. The rows to write come with the events
 * (`insertEvents(events, { indexPages })`): each row replaces the page's earlier one.
 */
export interface SearchRecorder extends ProcessRecorder {
  /**
   * The ids of the pages whose title or body has every word of `query` (in any form:
   * "cats" finds "cat"), best match first; `OR` between words finds pages with either.
   * Other punctuation in the query is not syntax.
   */
  searchPages(query: string): Promise<string[]>;
}

/** The rows that came with a save, if any. */
export function pageRowsOf(options: InsertEventsOptions | undefined): readonly PageRow[] {
  return (options?.indexPages as readonly PageRow[] | undefined) ?? [];
}

/** Whether a recorder is a search recorder (the search index checks its own). */
export function isSearchRecorder(recorder: unknown): recorder is SearchRecorder {
  return typeof (recorder as Partial<SearchRecorder>).searchPages === 'function';
}
