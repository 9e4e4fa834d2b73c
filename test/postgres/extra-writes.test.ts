// Custom PostgreSQL application recorders that write more than events in a save's transaction
// (Python's insert_pages example): options reach writeExtra, a failing extra statement fails that
// save alone and stores none of its events, and saves without extra writes stay grouped.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Dog, DogSchool } from '../../examples/dog-school.js';
import { RecorderOptions } from '../../src/application/index.js';
import { registerTopic } from '../../src/domain/topics.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { InsertEventsOptions } from '../../src/persistence/recorders.js';
import type { StoredEvent } from '../../src/persistence/stored-event.js';
import {
  PostgresApplicationRecorder,
  PostgresFactory,
  PostgresProcessRecorder,
  type PostgresTransactionClient,
} from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const prefix = `es_pages_${randomBytes(4).toString('hex')}`;

interface Page {
  readonly slug: string;
  readonly title: string;
}

/** The pages passed with a save, if any. */
function pagesOf(options: InsertEventsOptions | undefined): readonly Page[] | undefined {
  return options?.insertPages as readonly Page[] | undefined;
}

/** Python's SearchableContentRecorder, in short: pages inserted with the events. */
class PagesRecorder extends PostgresApplicationRecorder {
  get pages(): string {
    return this.qualifiedName(`${this.tableName}_pages`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.pages} ` +
        '(slug text PRIMARY KEY, title text NOT NULL, notification_id bigint NOT NULL)',
    ];
  }

  protected override hasExtraWrites(options: InsertEventsOptions | undefined): boolean {
    return pagesOf(options) !== undefined;
  }

  protected override async writeExtra(
    client: PostgresTransactionClient,
    options: InsertEventsOptions | undefined,
    notificationIds: readonly number[],
  ): Promise<void> {
    for (const page of pagesOf(options) ?? []) {
      await client.query(`INSERT INTO ${this.pages} VALUES ($1, $2, $3)`, [
        page.slug,
        page.title,
        notificationIds[0] ?? 0,
      ]);
    }
  }

  async page(slug: string): Promise<{ title: string; notification_id: number } | null> {
    const rows = await this.select<{ title: string; notification_id: number }>(
      `SELECT title, notification_id FROM ${this.pages} WHERE slug = $1`,
      [slug],
    );
    return rows[0] ?? null;
  }
}

/** A process recorder with the same extra write, to show tracking in the same transaction. */
class ProcessPagesRecorder extends PostgresProcessRecorder {
  get pages(): string {
    return this.qualifiedName(`${this.tableName}_ppages`);
  }

  override createTableStatements(): string[] {
    return [
      ...super.createTableStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.pages} (slug text PRIMARY KEY)`,
    ];
  }

  protected override async writeExtra(
    client: PostgresTransactionClient,
    options: InsertEventsOptions | undefined,
  ): Promise<void> {
    for (const page of pagesOf(options) ?? []) {
      await client.query(`INSERT INTO ${this.pages} VALUES ($1)`, [page.slug]);
    }
  }
}

registerTopic(`${prefix}-pages-recorder`, PagesRecorder);

function event(originatorId = randomUUID(), version = 1): StoredEvent {
  return {
    originatorId,
    originatorVersion: version,
    topic: 'Page.Created',
    state: Buffer.from('{}'),
  };
}

whenPostgres(() => {
  const factory = new PostgresFactory(new Environment(`${prefix}_r`, baseEnv));
  const recorder = new PagesRecorder(factory.datastore, `${prefix}_r_events`);
  const process = new ProcessPagesRecorder(
    factory.datastore,
    `${prefix}_p_events`,
    `${prefix}_p_tracking`,
  );
  after(async () => {
    await recorder.close();
    await process.close();
    await factory.close();
    await dropPrefix(prefix);
  });

  describe('extra statements in a save (writeExtra)', () => {
    test('an Application saves an aggregate and its page in one transaction through RecorderOptions', async () => {
      class Wiki extends DogSchool {
        static override readonly name = `${prefix}_wiki`;
      }
      const app = await Wiki.create({
        env: {
          ...baseEnv,
          PERSISTENCE_MODULE: 'postgres',
          APPLICATION_RECORDER_TOPIC: `${prefix}-pages-recorder`,
        },
      });
      try {
        assert.ok(app.recorder instanceof PagesRecorder);
        const dog = new Dog('Fido');
        const [recording] = await app.save(
          dog,
          new RecorderOptions({ insertPages: [{ slug: 'fido', title: 'Fido' }] }),
        );
        const page = await (app.recorder as PagesRecorder).page('fido');
        assert.deepEqual(page, { title: 'Fido', notification_id: recording!.notification.id });
        assert.equal((await app.getDog(dog.id)).name, 'Fido');
      } finally {
        await app.close();
      }
    });

    test('a failing extra statement fails that save alone and stores none of its events', async () => {
      await recorder.insertEvents([event()], { insertPages: [{ slug: 'taken', title: 'First' }] });
      const id = randomUUID();
      const bad = [event(id, 1), event(id, 2)];
      const good = Array.from({ length: 6 }, () => event());
      const results = await Promise.allSettled([
        ...good
          .slice(0, 3)
          .map((e, i) =>
            recorder.insertEvents([e], { insertPages: [{ slug: `ok-${i}`, title: 'ok' }] }),
          ),
        recorder.insertEvents(bad, { insertPages: [{ slug: 'taken', title: 'Second' }] }),
        ...good.slice(3).map((e) => recorder.insertEvents([e])),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
      );
      assert.ok((results[3] as PromiseRejectedResult).reason instanceof IntegrityError);
      assert.deepEqual(await recorder.selectEvents(bad[0]!.originatorId), []);
      assert.equal((await recorder.page('taken'))?.title, 'First');
      for (const e of good) assert.equal((await recorder.selectEvents(e.originatorId)).length, 1);
      for (let i = 0; i < 3; i++) assert.equal((await recorder.page(`ok-${i}`))?.title, 'ok');
    });

    test('extra writes throwing roll the save back with that error', async () => {
      class Throwing extends PagesRecorder {
        protected override async writeExtra(): Promise<void> {
          throw new RangeError('no pages today');
        }
      }
      const throwing = new Throwing(factory.datastore, `${prefix}_r_events`);
      const e = event();
      await assert.rejects(throwing.insertEvents([e], { insertPages: [] }), /no pages today/);
      assert.deepEqual(await recorder.selectEvents(e.originatorId), []);
      await throwing.close();
    });

    test('a save whose events conflict does not run its extra writes', async () => {
      const e = event();
      await recorder.insertEvents([e]);
      await assert.rejects(
        recorder.insertEvents([e], { insertPages: [{ slug: 'never', title: 'x' }] }),
        IntegrityError,
      );
      assert.equal(await recorder.page('never'), null);
    });

    test('saves without extra writes are still sent together (group commit)', async () => {
      const before = recorder.insertCalls;
      await Promise.all(Array.from({ length: 20 }, () => recorder.insertEvents([event()])));
      assert.ok(recorder.insertCalls - before < 20, `${recorder.insertCalls - before} calls`);
    });

    test('a process recorder records its tracking with the extra writes, or neither', async () => {
      await process.insertEvents([event()], {
        tracking: { applicationName: 'up', notificationId: 1 },
        insertPages: [{ slug: 'p1', title: '' }],
      });
      assert.equal(await process.maxTrackingId('up'), 1);
      const e = event();
      await assert.rejects(
        process.insertEvents([e], {
          tracking: { applicationName: 'up', notificationId: 2 },
          insertPages: [{ slug: 'p1', title: '' }],
        }),
        IntegrityError,
      );
      assert.equal(await process.maxTrackingId('up'), 1);
      assert.deepEqual(await process.selectEvents(e.originatorId), []);
      // A repeated tracking fails before the extra writes run.
      await assert.rejects(
        process.insertEvents([event()], {
          tracking: { applicationName: 'up', notificationId: 1 },
          insertPages: [{ slug: 'p2', title: '' }],
        }),
        IntegrityError,
      );
    });
  });
});
