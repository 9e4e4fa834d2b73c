/** The search index example's application: it writes, edits and discards notes. */
import { Application } from 'eventsourcing/application';
import { Note } from './domain.js';

/** What `getNote` returns. */
export interface NoteDetails {
  readonly title: string;
  readonly body: string;
  readonly discarded: boolean;
}

/**
 * Notes, event-sourced. It has no search of its own: finding notes by their words is the
 * business of a view that a projection of its events keeps (see search-projection.ts).
 */
export class Notes extends Application {
  async writeNote(title: string, body: string): Promise<string> {
    const note = new Note(title, body);
    await this.save(note);
    return note.id;
  }

  async editNote(noteId: string, body: string): Promise<void> {
    const note = await this.repository.get<Note>(noteId);
    note.edit(body);
    await this.save(note);
  }

  async discardNote(noteId: string): Promise<void> {
    const note = await this.repository.get<Note>(noteId);
    if (note.discarded) return;
    note.discard();
    await this.save(note);
  }

  async getNote(noteId: string): Promise<NoteDetails> {
    const note = await this.repository.get<Note>(noteId);
    return { title: note.title, body: note.body, discarded: note.discarded };
  }
}
