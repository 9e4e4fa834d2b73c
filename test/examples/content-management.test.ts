/**
 * The content management system example (Python's contentmanagementsystem test): pages written
 * in the content application are found by the search index process application, on SQLite
 * (FTS5, a file per application) and PostgreSQL (tsvector, a schema per test), under the
 * SingleThreadedRunner and the ConcurrentRunner.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { IntegrityError } from 'eventsourcing';
import { AggregateNotFoundError } from 'eventsourcing/application';
import {
  ConcurrentRunner,
  EventProcessingError,
  type Runner,
  SingleThreadedRunner,
  System,
} from 'eventsourcing/system';
import {
  ContentManagement,
  PageNotFoundError,
  SlugConflictError,
} from '../../examples/content-management/application.js';
import { applyPatch, createDiff } from '../../examples/content-management/diff.js';
import { SearchIndex } from '../../examples/content-management/search-index.js';
import { postgresEnv, sqliteEnv, system } from '../../examples/content-management/system.js';
import { baseEnv, rawClient, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

type RunnerClass = new (...args: ConstructorParameters<typeof SingleThreadedRunner>) => Runner;

/** Resolves once the search index has processed every content event so far. */
async function indexed(runner: Runner): Promise<void> {
  const content = runner.get(ContentManagement);
  const last = await content.recorder.maxNotificationId();
  await runner.get(SearchIndex).recorder.wait(content.name, last, { timeout: 10_000 });
}

/** The slugs of the pages a search finds, sorted. */
async function slugs(runner: Runner, query: string): Promise<string[]> {
  const ids = await runner.get(SearchIndex).search(query);
  const content = runner.get(ContentManagement);
  return (await Promise.all(ids.map(async (id) => (await content.getPageById(id)).slug))).sort();
}

test('a diff turns the old body into the new one', () => {
  for (const [a, b] of [
    ['', 'cat'],
    ['cat', 'cat dog zebra'],
    ['cat dog zebra', 'cat zebra'],
    ['rose', ''],
    ['aaa', 'aaaa'],
    ['same', 'same'],
  ] as const) {
    assert.equal(applyPatch(a, createDiff(a, b)), b, `${a} -> ${b}`);
  }
  assert.equal(createDiff('cat dog', 'cat cow'), '4,3:cow');
  assert.throws(() => applyPatch('cat', 'nonsense'), SyntaxError);
});

function contentManagementBehaviour(
  Runner: RunnerClass,
  env: () => Promise<Record<string, string>>,
): void {
  test("finds pages by their body's words as they are edited (Python's scenario)", async () => {
    await using runner = new Runner(system, { env: await env() });
    await runner.start();
    const content = runner.get(ContentManagement);
    const search = runner.get(SearchIndex);

    await content.createPage('Animals', 'animals');
    await content.createPage('Plants', 'plants');
    await content.createPage('Minerals', 'minerals');
    await indexed(runner);
    for (const word of ['cat', 'rose', 'calcium']) assert.deepEqual(await search.search(word), []);

    await content.updateBody('animals', 'cat');
    await content.updateBody('plants', 'rose');
    await content.updateBody('minerals', 'calcium');
    await indexed(runner);
    assert.deepEqual(await slugs(runner, 'cat'), ['animals']);
    assert.deepEqual(await slugs(runner, 'rose'), ['plants']);
    assert.deepEqual(await slugs(runner, 'calcium'), ['minerals']);
    for (const word of ['dog', 'bluebell', 'zinc']) assert.deepEqual(await search.search(word), []);

    await content.updateBody('animals', 'cat dog zebra');
    await content.updateBody('plants', 'bluebell rose jasmine');
    await content.updateBody('minerals', 'iron zinc calcium');
    await indexed(runner);
    assert.deepEqual(await slugs(runner, 'dog'), ['animals']);
    assert.deepEqual(await slugs(runner, 'bluebell'), ['plants']);
    assert.deepEqual(await slugs(runner, 'zinc'), ['minerals']);
    assert.deepEqual(await slugs(runner, 'dog cat'), ['animals']);
    assert.deepEqual(await slugs(runner, 'rose zebra'), [], 'every word must appear');
    assert.deepEqual(await slugs(runner, 'rose OR zebra'), ['animals', 'plants']);
    // Stemmed, and titles are searched too.
    assert.deepEqual(await slugs(runner, 'zebras'), ['animals']);
    assert.deepEqual(await slugs(runner, 'mineral'), ['minerals']);
    const [animals] = await search.search('cat');
    assert.deepEqual(await content.getPageById(animals as string), {
      title: 'Animals',
      slug: 'animals',
      body: 'cat dog zebra',
    });
  });

  test('indexes titles and slugs as they change; a taken slug changes nothing', async () => {
    await using runner = new Runner(system, { env: await env() });
    await runner.start();
    const content = runner.get(ContentManagement);
    const id = await content.createPage('Welcome', 'home', 'Hello, reader.');
    await content.createPage('About', 'about', 'Who we are.');
    await content.updateTitle('home', 'Greetings');
    await content.updateSlug('home', 'start');
    await assert.rejects(content.getPageBySlug('home'), PageNotFoundError);
    await assert.rejects(content.updateSlug('start', 'about'), SlugConflictError);
    await assert.rejects(content.createPage('Again', 'about'), IntegrityError);
    await indexed(runner);
    assert.deepEqual(await content.getPageBySlug('start'), {
      title: 'Greetings',
      slug: 'start',
      body: 'Hello, reader.',
    });
    assert.deepEqual(await slugs(runner, 'greetings reader'), ['start']);
    assert.deepEqual(await slugs(runner, 'welcome'), []);
    // The search index's own copy of the page, at one version per content event processed.
    const copy = await runner.get(SearchIndex).repository.get<{ version: number }>(id);
    assert.equal(copy.version, 3);
    await assert.rejects(
      runner.get(SearchIndex).repository.get(content.name),
      AggregateNotFoundError,
    );
  });

  test('a new runner resumes from the tracking: nothing indexed twice, pages saved while stopped found', async () => {
    const runnerEnv = await env();
    {
      await using runner = new Runner(system, { env: runnerEnv });
      await runner.start();
      await runner.get(ContentManagement).createPage('Animals', 'animals', 'cat');
      await indexed(runner);
    }
    {
      // The content application alone, with no runner: the search index is not running.
      const content = new ContentManagement({ env: runnerEnv });
      await content.updateBody('animals', 'cat dog');
      await content.createPage('Plants', 'plants', 'rose');
      await content.close();
    }
    await using runner = new Runner(system, { env: runnerEnv });
    await runner.start();
    await indexed(runner);
    assert.deepEqual(await slugs(runner, 'dog'), ['animals']);
    assert.deepEqual(await slugs(runner, 'rose OR cat'), ['animals', 'plants']);
    const search = runner.get(SearchIndex);
    assert.equal(await search.recorder.maxTrackingId('ContentManagement'), 5);
  });
}

describe('content management system on SQLite (FTS5)', () => {
  const env = async () => {
    // A directory of its own in the SQLite tests' temporary directory (removed after them).
    const dir = tempDbPath('cms').replace(/\.sqlite$/, '');
    mkdirSync(dir);
    return sqliteEnv(dir);
  };
  describe('SingleThreadedRunner', () => contentManagementBehaviour(SingleThreadedRunner, env));
  describe('ConcurrentRunner', () => contentManagementBehaviour(ConcurrentRunner, env));

  test('without a search recorder, the runner says which key to set', () => {
    const dir = tempDbPath('cms-plain');
    assert.throws(
      () =>
        new SingleThreadedRunner(system, {
          env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: dir },
        }),
      /SEARCHINDEX_PROCESS_RECORDER_TOPIC/,
    );
  });

  test('a policy error stops the system: EventProcessingError, nothing indexed after it', async () => {
    class FailingSearchIndex extends SearchIndex {
      static override name = 'SearchIndex';
      override async policy(...args: Parameters<SearchIndex['policy']>): Promise<void> {
        if ((args[0] as { title?: string }).title === 'Bad') throw new RangeError('bad page');
        await super.policy(...args);
      }
    }
    const failing = new System([[ContentManagement, FailingSearchIndex]]);
    const runner = new SingleThreadedRunner(failing, { env: await env() });
    await runner.start();
    const content = runner.get(ContentManagement);
    await content.createPage('Good', 'good', 'cat');
    await assert.rejects(content.createPage('Bad', 'bad', 'dog'), EventProcessingError);
    await assert.rejects(runner.stop(), (error: unknown) => {
      assert.ok(error instanceof EventProcessingError);
      assert.ok(error.cause instanceof RangeError);
      return true;
    });
  });
});

describe('content management system on PostgreSQL (tsvector)', () => {
  whenPostgres(() => {
    const schemas: string[] = [];
    after(async () => {
      const client = await rawClient();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    });
    const env = async () => {
      const schema = `cms${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      const client = await rawClient();
      try {
        await client.query(`CREATE SCHEMA "${schema}"`);
      } finally {
        await client.end();
      }
      return { ...postgresEnv(), ...baseEnv, POSTGRES_SCHEMA: schema };
    };
    describe('SingleThreadedRunner', () => contentManagementBehaviour(SingleThreadedRunner, env));
    describe('ConcurrentRunner', () => contentManagementBehaviour(ConcurrentRunner, env));
  });
});
