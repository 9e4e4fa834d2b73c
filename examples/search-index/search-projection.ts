/**
 * The projection of the Notes application into a search index: it turns each note event into a
 * command of the view. The runner gives it the events in the order they were recorded, with the
 * tracking that each command records in the view's transaction, so a note is indexed exactly
 * once however the process stops.
 */
import type { DomainEventLike } from 'eventsourcing/domain';
import type { Tracking } from 'eventsourcing/persistence';
import { Projection } from 'eventsourcing/projection';
import { Note } from './domain.js';
import type { SearchView } from './search-view.js';

/** Keeps a `SearchView` of the notes: on SQLite, PostgreSQL, or any view that implements it. */
export class NoteSearch extends Projection<SearchView> {
  async processEvent(domainEvent: DomainEventLike, tracking: Tracking): Promise<void> {
    const noteId = domainEvent.originatorId;
    if (domainEvent instanceof Note.Written) {
      await this.view.putNote(noteId, domainEvent.title, domainEvent.body, tracking);
    } else if (domainEvent instanceof Note.Edited) {
      await this.view.updateBody(noteId, domainEvent.body, tracking);
    } else if (domainEvent instanceof Note.Discarded) {
      await this.view.removeNote(noteId, tracking);
    }
    // Any other event changes nothing here: the runner records its tracking by itself.
  }
}
