/**
 * The search index example: notes projected into a full-text index, on SQLite (FTS5) and on
 * PostgreSQL (tsvector), each run by a ProjectionRunner as a user would run it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { EnvType } from 'eventsourcing/persistence';
import { ProjectionRunner } from 'eventsourcing/projection';
import { Notes } from '../../examples/search-index/application.js';
import { PostgresSearchView } from '../../examples/search-index/postgres-search-view.js';
import { NoteSearch } from '../../examples/search-index/search-projection.js';
import type { SearchView } from '../../examples/search-index/search-view.js';
import { SQLiteSearchView } from '../../examples/search-index/sqlite-search-view.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

/** The titles of the notes a search finds, in the order found. */
async function titles(view: SearchView, query: string): Promise<string[]> {
  return (await view.search(query)).map((hit) => hit.title);
}

/**
 * What the example must do on any backend: index notes as they are written, edited and
 * discarded; find them by words in any form; resume without indexing anything twice; rebuild.
 */
function searchIndexBehaviour(
  viewClass: new (...args: never[]) => SearchView,
  setUp: () => { applicationClass: typeof Notes; projectionClass: typeof NoteSearch; env: EnvType },
): void {
  test('finds notes by the words of their title and body, as they are written, edited and discarded', async () => {
    const { applicationClass, projectionClass, env } = setUp();
    await using runner = new ProjectionRunner({
      applicationClass,
      projectionClass,
      viewClass,
      env,
    });
    const notes = runner.app;
    const walks = await notes.writeNote('Walks', 'Rex is training for the long walk to the lake.');
    const fetch = await notes.writeNote('Fetch', 'Fido learned to fetch the ball.');
    const treats = await notes.writeNote(
      'Treats',
      'Biscuits after every walk; none before dinner.',
    );
    await runner.wait(await notes.recorder.maxNotificationId(), { timeout: 5000 });

    const view = runner.view;
    // Stemmed: "walking" finds "walk".
    assert.deepEqual((await titles(view, 'walking')).sort(), ['Treats', 'Walks']);
    assert.deepEqual(await titles(view, 'trained'), ['Walks']);
    assert.deepEqual(await titles(view, 'ball fetch'), ['Fetch']);
    assert.deepEqual(await titles(view, 'ball lake'), [], 'every word must appear');
    // Plain text: quotes and operators are words, never a syntax error.
    assert.deepEqual(await titles(view, '"fetch" (ball*'), ['Fetch']);
    assert.deepEqual(await titles(view, '  '), []);
    const [hit] = await view.search('biscuits');
    assert.deepEqual(hit, { noteId: treats, title: 'Treats' });

    await notes.editNote(fetch, 'Fido fetches sticks now.');
    await notes.discardNote(walks);
    await runner.wait(await notes.recorder.maxNotificationId(), { timeout: 5000 });
    assert.deepEqual(await titles(view, 'ball'), []);
    assert.deepEqual(await titles(view, 'stick'), ['Fetch']);
    assert.deepEqual(await titles(view, 'walk'), ['Treats']);
    assert.deepEqual(await notes.getNote(walks), {
      title: 'Walks',
      body: 'Rex is training for the long walk to the lake.',
      discarded: true,
    });
  });

  test('a new runner resumes where the view stands, and a rebuild makes the same index again', async () => {
    const { applicationClass, projectionClass, env } = setUp();
    const options = { applicationClass, projectionClass, viewClass, env };
    {
      await using runner = new ProjectionRunner(options);
      await runner.app.writeNote('Sit', 'Sit before the treat.');
      await runner.wait(await runner.app.recorder.maxNotificationId(), { timeout: 5000 });
    }
    await using runner = new ProjectionRunner(options);
    const id = await runner.app.writeNote('Stay', 'Stay until called; a treat follows.');
    const head = await runner.app.recorder.maxNotificationId();
    await runner.wait(head, { timeout: 5000 });
    // Indexed once each: writing 'Sit' again into the index would have failed its unique key.
    assert.deepEqual((await titles(runner.view, 'treat')).sort(), ['Sit', 'Stay']);
    assert.equal(await runner.view.maxTrackingId(runner.app.name), head);

    await runner.rebuild();
    assert.equal(await runner.view.maxTrackingId(runner.app.name), head);
    assert.deepEqual((await titles(runner.view, 'treat')).sort(), ['Sit', 'Stay']);
    assert.deepEqual(await runner.view.search('called'), [{ noteId: id, title: 'Stay' }]);
  });
}

describe('search index example on SQLite (FTS5)', () => {
  searchIndexBehaviour(SQLiteSearchView, () => {
    // Files in a temporary directory that is removed when this file's tests end.
    const app = tempDbPath('notes');
    const view = tempDbPath('search');
    return {
      applicationClass: Notes,
      projectionClass: NoteSearch,
      // The index in a file of its own: keys scoped by the projection's name.
      env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: app, NOTESEARCH_SQLITE_DBNAME: view },
    };
  });
});

describe('search index example on PostgreSQL (tsvector)', () => {
  whenPostgres(() => {
    const prefix = `es_fts_${randomBytes(4).toString('hex')}`;
    let n = 0;
    after(() => dropPrefix(prefix));
    searchIndexBehaviour(PostgresSearchView, () => {
      n++;
      // Unique names: the application's and the view's tables are prefixed by them.
      class TestNotes extends Notes {
        static override name = `${prefix}_notes_${n}`;
      }
      class TestNoteSearch extends NoteSearch {
        static override name = `${prefix}_search_${n}`;
      }
      return {
        applicationClass: TestNotes,
        projectionClass: TestNoteSearch,
        env: { PERSISTENCE_MODULE: 'postgres', ...baseEnv },
      };
    });
  });
});
