import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { IntegrityError, OperationalError } from '../../src/persistence/errors.js';
import type { StoredEvent } from '../../src/persistence/stored-event.js';
import type { PgClient } from '../../src/postgres/driver.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, rawClient, whenPostgres } from './helpers.js';

const prefix = `es_conc_${randomBytes(4).toString('hex')}`;
let counter = 0;

function factory(extra: Record<string, string> = {}, name?: string): PostgresFactory {
  return new PostgresFactory(
    new Environment(name ?? `${prefix}_${++counter}`, { ...baseEnv, ...extra }),
  );
}

function event(id = randomUUID(), version = 1, topic = 't:E'): StoredEvent {
  return {
    originatorId: id,
    originatorVersion: version,
    topic,
    state: Buffer.from(`${id}/${version}`),
  };
}

/** The backend pids whose current query matches, waiting for one to appear. */
async function backends(client: PgClient, pattern: string, waiting = false): Promise<number[]> {
  for (let i = 0; i < 500; i++) {
    // Activity statistics are a snapshot per transaction: take a fresh one.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const result = await client.query({
      text:
        'SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE $1' +
        (waiting ? " AND wait_event_type = 'Lock'" : ''),
      values: [pattern],
    });
    if (result.rows.length > 0) return (result.rows as { pid: number }[]).map((r) => r.pid);
    await sleep(10);
  }
  throw new Error(`no backend runs ${pattern}`);
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  describe('group commit', () => {
    test('concurrent saves from one factory are sent in fewer calls than saves', async () => {
      const f = factory();
      const recorder = f.applicationRecorder();
      await recorder.ready();
      // One save goes at once; the others arrive while it is in flight and go together.
      const first = recorder.insertEvents([event(), event()]);
      await sleep(0);
      const saves = Array.from({ length: 40 }, () => {
        const id = randomUUID();
        return [event(id, 1), event(id, 2)];
      });
      const results = await Promise.all([first, ...saves.map((s) => recorder.insertEvents(s))]);
      assert.ok(recorder.insertCalls < 41, `${recorder.insertCalls} calls for 41 saves`);
      assert.ok(recorder.insertCalls >= 1);
      for (const ids of results) {
        assert.equal(ids.length, 2);
        assert.equal(ids[1], ids[0]! + 1, 'a save’s events are contiguous');
      }
      const all = results.flat().sort((a, b) => a - b);
      assert.equal(new Set(all).size, 82);
      assert.equal((await recorder.selectNotifications(null, 1000)).length, 82);
      await f.close();
    });

    test('each conflicting save in a group fails alone with IntegrityError; the rest commit', async () => {
      const f = factory();
      const recorder = f.applicationRecorder();
      const a = randomUUID();
      const b = randomUUID();
      const c = randomUUID();
      await recorder.insertEvents([event(a, 1)]);
      const calls = recorder.insertCalls;
      const results = await Promise.allSettled([
        recorder.insertEvents([event(c, 1), event(a, 1)]), // a v1 is recorded
        recorder.insertEvents([event(b, 1)]),
        recorder.insertEvents([event(a, 2), event(randomUUID(), 1)]),
        recorder.insertEvents([event(b, 1, 't:Other')]), // b v1 claimed by an earlier save
        recorder.insertEvents([event(c, 1)]), // c v1 free: the first save failed
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof IntegrityError, String(r.reason));
      }
      assert.match(
        String((results[0] as PromiseRejectedResult).reason),
        new RegExp(`${a} version 1`),
      );
      assert.ok(recorder.insertCalls - calls < 5, 'sent in fewer calls than saves');
      assert.deepEqual(
        (await recorder.selectEvents(a)).map((e) => e.originatorVersion),
        [1, 2],
      );
      assert.deepEqual(
        (await recorder.selectEvents(b)).map((e) => e.topic),
        ['t:E'],
      );
      assert.equal((await recorder.selectEvents(c)).length, 1);
      await f.close();
    });

    test('a rejected save between others leaves no row, and the others get their own ids', async () => {
      const f = factory();
      const recorder = f.applicationRecorder();
      const a = randomUUID();
      await recorder.insertEvents([event(a, 1)]);
      const x = randomUUID();
      const y = randomUUID();
      const z = randomUUID();
      const results = await Promise.allSettled([
        recorder.insertEvents([event(x, 1), event(x, 2)]),
        recorder.insertEvents([event(y, 1), event(y, 2), event(a, 1), event(y, 3)]),
        recorder.insertEvents([event(z, 1)]),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(
        String((results[1] as PromiseRejectedResult).reason),
        new RegExp(`${a} version 1`),
      );
      assert.deepEqual(await recorder.selectEvents(y), []);
      const stored = await recorder.selectNotifications(null, 100);
      const byKey = new Map(stored.map((n) => [`${n.originatorId}/${n.originatorVersion}`, n.id]));
      assert.equal(stored.length, 4);
      assert.deepEqual((results[0] as PromiseFulfilledResult<number[]>).value, [
        byKey.get(`${x}/1`),
        byKey.get(`${x}/2`),
      ]);
      assert.deepEqual((results[2] as PromiseFulfilledResult<number[]>).value, [
        byKey.get(`${z}/1`),
      ]);
      await f.close();
    });

    test('the write function called with a version repeated within a group stores nothing', async () => {
      const f = factory();
      const recorder = f.applicationRecorder();
      await recorder.ready();
      const client = await rawClient();
      const a = randomUUID();
      const b = randomUUID();
      try {
        await assert.rejects(
          client.query({
            text:
              `SELECT * FROM "${recorder.functionName}"($1::uuid[], $2::bigint[], $3::text[], ` +
              '$4::bytea[], $5::int[], $6::text)',
            values: [[b, a, a], [1, 1, 1], ['t', 't', 't'], [null, null, null], [0, 1, 2], '5s'],
          }),
          (error: unknown) => (error as { code?: string }).code === '23505',
        );
      } finally {
        await client.end();
      }
      assert.deepEqual(await recorder.selectNotifications(null, 10), []);
      await f.close();
    });

    test('process recorder: a save rejected for its tracking leaves no event row', async () => {
      const f = factory();
      const recorder = f.processRecorder();
      await recorder.insertTracking({ applicationName: 'up', notificationId: 5 });
      const x = randomUUID();
      const results = await Promise.allSettled([
        recorder.insertEvents([event(), event()], {
          tracking: { applicationName: 'up', notificationId: 4 },
        }),
        recorder.insertEvents([event(x, 1)], {
          tracking: { applicationName: 'other', notificationId: 1 },
        }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'fulfilled'],
      );
      const stored = await recorder.selectNotifications(null, 10);
      assert.deepEqual(
        stored.map((n) => n.originatorId),
        [x],
      );
      assert.deepEqual((results[1] as PromiseFulfilledResult<number[]>).value, [stored[0]!.id]);
      assert.equal(await recorder.maxTrackingId('up'), 5);
      await f.close();
    });

    test('process recorder: saves tracking one upstream notification in one group, one wins', async () => {
      const f = factory();
      const recorder = f.processRecorder();
      await recorder.insertTracking({ applicationName: 'up', notificationId: 5 });
      const results = await Promise.allSettled([
        recorder.insertEvents([event()], {
          tracking: { applicationName: 'up', notificationId: 5 },
        }),
        recorder.insertEvents([event()], {
          tracking: { applicationName: 'up', notificationId: 6 },
        }),
        recorder.insertEvents([event()], {
          tracking: { applicationName: 'up', notificationId: 6 },
        }),
        recorder.insertEvents([], { tracking: { applicationName: 'other', notificationId: 1 } }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(
        String((results[0] as PromiseRejectedResult).reason),
        /not greater than current max tracking ID 5/,
      );
      assert.equal(await recorder.maxTrackingId('up'), 6);
      assert.equal(await recorder.maxTrackingId('other'), 1);
      assert.equal((await recorder.selectNotifications(null, 10)).length, 1);
      await f.close();
    });
  });

  describe('the table lock', () => {
    test('two factories (two pools) writing at once never interleave, and a tailing reader never skips', async () => {
      const name = `${prefix}_shared`;
      const writers = [factory({}, name), factory({}, name)];
      const readerFactory = factory({}, name);
      const reader = readerFactory.applicationRecorder();
      await Promise.all(writers.map((w) => w.applicationRecorder().ready()));
      const recorders = writers.map((w) => w.applicationRecorder());
      let done = false;
      const seen: number[] = [];
      const tailing = (async () => {
        let last = 0;
        while (!done || (await reader.maxNotificationId()) !== last) {
          const page = await reader.selectNotifications(last, 50, { inclusiveOfStart: false });
          for (const n of page) seen.push(n.id);
          if (page.length > 0) last = page[page.length - 1]!.id;
        }
      })();
      const batches: number[][] = [];
      await Promise.all(
        recorders.flatMap((recorder) =>
          Array.from({ length: 8 }, async () => {
            for (let i = 0; i < 10; i++) {
              const ids = await recorder.insertEvents([event(), event(), event()]);
              batches.push(ids);
            }
          }),
        ),
      );
      done = true;
      await tailing;
      const written = batches.flat().sort((x, y) => x - y);
      assert.equal(written.length, 480);
      assert.deepEqual(seen, written, 'the reader saw every id, once, in order');
      const position = new Map(written.map((id, i) => [id, i]));
      for (const ids of batches) {
        const p = position.get(ids[0]!)!;
        assert.deepEqual(written.slice(p, p + 3), ids, 'a batch’s ids are not interleaved');
      }
      await Promise.all(writers.map((w) => w.close()));
      await readerFactory.close();
    });

    test('a client holding the lock delays writers but not readers; the lock timeout fails them', async () => {
      const name = `${prefix}_locked`;
      const patient = factory({}, name);
      const impatient = factory({ POSTGRES_LOCK_TIMEOUT: '1' }, name);
      const recorder = patient.applicationRecorder();
      await recorder.insertEvents([event()]);
      const holder = await rawClient();
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "public"."${name}_events" IN EXCLUSIVE MODE`);
      let settled = false;
      const delayed = recorder.insertEvents([event()]).finally(() => {
        settled = true;
      });
      await backends(holder, '%_events_insert"(%', true);
      // Readers are not blocked by the writers' lock.
      assert.equal((await recorder.selectNotifications(null, 10)).length, 1);
      await assert.rejects(
        impatient.applicationRecorder().insertEvents([event()]),
        (error: unknown) =>
          error instanceof OperationalError && /lock timeout/i.test(error.message),
      );
      assert.equal(settled, false, 'the writer waits while the lock is held');
      await holder.query('COMMIT');
      const [id] = await delayed;
      assert.ok(id! > 1);
      await holder.end();
      await patient.close();
      await impatient.close();
    });
  });

  describe('lost connections', () => {
    test('a write whose connection drops is an OperationalError saying the outcome is unknown, never retried', async () => {
      const name = `${prefix}_dropped`;
      const f = factory({}, name);
      const recorder = f.applicationRecorder();
      await recorder.ready();
      const holder = await rawClient();
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "public"."${name}_events" IN EXCLUSIVE MODE`);
      const id = randomUUID();
      const writing = recorder.insertEvents([event(id)]);
      // Expect the rejection from the start: it may come before the terminating query returns.
      const rejected = assert.rejects(
        writing,
        (error: unknown) =>
          error instanceof OperationalError && /outcome is unknown/.test(error.message),
      );
      const [pid] = await backends(holder, '%_events_insert"(%', true);
      await holder.query({ text: 'SELECT pg_terminate_backend($1)', values: [pid] });
      await rejected;
      await holder.query('COMMIT');
      await holder.end();
      assert.equal(recorder.insertCalls, 1, 'not retried');
      assert.deepEqual(await recorder.selectEvents(id), []);
      // The recorder goes on working with a fresh connection.
      assert.equal((await recorder.insertEvents([event(id)])).length, 1);
      await f.close();
    });

    test('an idempotent read retries across a dropped connection', async () => {
      const name = `${prefix}_reread`;
      const f = factory({}, name);
      const recorder = f.applicationRecorder();
      await recorder.insertEvents([event()]);
      const holder = await rawClient();
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE "public"."${name}_events" IN ACCESS EXCLUSIVE MODE`);
      const reading = recorder.selectNotifications(null, 10);
      const [pid] = await backends(holder, 'SELECT notification_id, originator_id%', true);
      await holder.query({ text: 'SELECT pg_terminate_backend($1)', values: [pid] });
      await holder.query('COMMIT');
      await holder.end();
      assert.equal((await reading).length, 1);
      await f.close();
    });
  });
});
