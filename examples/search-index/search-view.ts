/**
 * What the note search index does, whatever database holds it: the commands the projection
 * calls (each records the tracking of the event it processes, in the same transaction) and the
 * query the users call. sqlite-search-view.ts and postgres-search-view.ts implement it.
 */
import type { Tracking, TrackingRecorder } from 'eventsourcing/persistence';

/** A note found by a search. */
export interface SearchHit {
  readonly noteId: string;
  readonly title: string;
}

/** A full-text index of notes: a materialized view of the Notes application's events. */
export interface SearchView extends TrackingRecorder {
  /** Indexes a new note, and records the tracking of its event. */
  putNote(noteId: string, title: string, body: string, tracking: Tracking): Promise<void>;
  /** Indexes a note's new body instead of its old one, and records the tracking. */
  updateBody(noteId: string, body: string, tracking: Tracking): Promise<void>;
  /** Removes a note from the index, and records the tracking. */
  removeNote(noteId: string, tracking: Tracking): Promise<void>;
  /**
   * The notes whose title or body has every word of `query` (in any form: "trained" finds
   * "training"), best match first. The query is plain text, not a query language: quotes and
   * operators in it are words like any other.
   */
  search(query: string, options?: { limit?: number }): Promise<SearchHit[]>;
}
