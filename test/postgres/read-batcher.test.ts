import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { StoredEvent } from '../../src/persistence/stored-event.js';
import { PostgresFactory } from '../../src/postgres/index.js';
import { ReadBatcher } from '../../src/postgres/read-batcher.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A ReadBatcher over reads that the test settles by hand, recording what ran. */
function manualBatcher(concurrency: number) {
  const calls: { keys: readonly string[]; settle: ReturnType<typeof deferred<string[]>> }[] = [];
  let running = 0;
  let mostRunning = 0;
  const start = (keys: readonly string[]) => {
    const settle = deferred<string[]>();
    calls.push({ keys, settle });
    running++;
    mostRunning = Math.max(mostRunning, running);
    return settle.promise.finally(() => {
      running--;
    });
  };
  const batcher = new ReadBatcher<string>(
    concurrency,
    (key) => start([key]).then((values) => values[0]!),
    (keys) => start(keys),
  );
  const answer = (i: number) => {
    const call = calls[i]!;
    call.settle.resolve(call.keys.map((k) => `value of ${k}`));
  };
  return { batcher, calls, answer, mostRunning: () => mostRunning };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadBatcher', () => {
  test('runs reads on their own up to its concurrency, then serves waiting reads together', async () => {
    const { batcher, calls, answer, mostRunning } = manualBatcher(2);
    const reads = ['a', 'b', 'c', 'd', 'e', 'c'].map((k) => batcher.read(k));
    await tick();
    assert.deepEqual(
      calls.map((c) => c.keys),
      [['a'], ['b']],
      'two run, four wait',
    );
    answer(0);
    await tick();
    assert.deepEqual(calls[2]!.keys, ['c', 'd', 'e', 'c'], 'the waiting four, in order, at once');
    answer(1);
    answer(2);
    assert.deepEqual(await Promise.all(reads), [
      'value of a',
      'value of b',
      'value of c',
      'value of d',
      'value of e',
      'value of c',
    ]);
    assert.equal(mostRunning(), 2);
    // Idle again: the next read runs on its own.
    const next = batcher.read('f');
    await tick();
    assert.deepEqual(calls[3]!.keys, ['f']);
    answer(3);
    assert.equal(await next, 'value of f');
  });

  test('a failed statement rejects only the reads it served', async () => {
    const { batcher, calls, answer } = manualBatcher(1);
    const first = batcher.read('a');
    const waiting = [batcher.read('b'), batcher.read('c')];
    await tick();
    answer(0);
    await tick();
    const later = batcher.read('d');
    calls[1]!.settle.reject(new Error('connection lost'));
    for (const read of waiting) await assert.rejects(read, /connection lost/);
    assert.equal(await first, 'value of a');
    await tick();
    assert.deepEqual(calls[2]!.keys, ['d'], 'a read waiting behind the failure still runs');
    answer(2);
    assert.equal(await later, 'value of d');
  });

  test('serves at most 100 waiting reads with one statement', async () => {
    const { batcher, calls, answer } = manualBatcher(1);
    const reads = Array.from({ length: 151 }, (_, i) => batcher.read(`k${i}`));
    await tick();
    answer(0);
    await tick();
    assert.equal(calls[1]!.keys.length, 100);
    answer(1);
    await tick();
    assert.deepEqual(
      calls[2]!.keys,
      Array.from({ length: 50 }, (_, i) => `k${101 + i}`),
    );
    answer(2);
    const values = await Promise.all(reads);
    assert.deepEqual(
      values,
      reads.map((_, i) => `value of k${i}`),
    );
  });

  test('rejects a concurrency below 1', () => {
    assert.throws(
      () =>
        new ReadBatcher(
          0,
          async () => 1,
          async () => [],
        ),
      /concurrency of at least 1, got 0/,
    );
  });
});

const prefix = `es_batch_${randomBytes(4).toString('hex')}`;
let counter = 0;

function event(id: string, version: number): StoredEvent {
  return {
    originatorId: id,
    originatorVersion: version,
    topic: 't:E',
    state: Buffer.from(`{"id":"${id}","v":${version}}`),
  };
}

whenPostgres(() => {
  after(() => dropPrefix(prefix));

  /** A recorder on a pool of two connections, and a count of its batched selects. */
  async function recorder(extra: Record<string, string> = {}) {
    const factory = new PostgresFactory(
      new Environment(`${prefix}_${++counter}`, {
        ...baseEnv,
        POSTGRES_POOL_SIZE: '2',
        POSTGRES_MAX_OVERFLOW: '0',
        ...extra,
      }),
    );
    const rec = factory.aggregateRecorder();
    await rec.ready();
    const datastore = rec.datastore;
    const read = datastore.read.bind(datastore);
    const counts = { reads: 0, batched: 0 };
    datastore.read = (config) => {
      counts.reads++;
      if (config.text.includes('ANY($1)') || config.text.includes('LATERAL')) counts.batched++;
      return read(config);
    };
    return { factory, rec, counts };
  }

  describe('PostgreSQL reads while the connections are busy', () => {
    test('many concurrent selects get what one select at a time gets, in fewer statements', async () => {
      const { factory, rec, counts } = await recorder();
      try {
        const ids = Array.from({ length: 30 }, () => randomUUID());
        await rec.insertEvents(
          ids.flatMap((id, i) => [1, 2, 3].slice(0, 1 + (i % 3)).map((v) => event(id, v))),
        );
        const asked = [
          ...ids,
          ...ids.slice(0, 10).map((id) => id.toUpperCase()),
          ...Array.from({ length: 5 }, () => randomUUID()),
          'not a uuid',
        ];
        counts.reads = 0;
        const together = await Promise.all(asked.map((id) => rec.selectEvents(id)));
        assert.ok(counts.batched >= 1, 'some selects were combined');
        assert.ok(
          counts.reads < asked.length - 1,
          `${counts.reads} statements for ${asked.length} selects`,
        );
        for (let i = 0; i < asked.length; i++) {
          const alone = await rec.selectEvents(asked[i]!);
          assert.deepEqual(together[i], alone, asked[i]);
        }
        assert.equal(together[0]!.length, 1);
        assert.equal(together[2]!.length, 3);
        assert.deepEqual(
          together[2]!.map((e) => [e.originatorId, e.originatorVersion]),
          [1, 2, 3].map((v) => [ids[2], v]),
        );
        // The same originator asked twice: equal events, separate arrays.
        assert.notEqual(together[0], together[30]);
        assert.deepEqual(together[0], together[30]);
        // Selects with options are never combined, and still right.
        const withOptions = await Promise.all(ids.map((id) => rec.selectEvents(id, { gt: 1 })));
        assert.deepEqual(
          withOptions[2]!.map((e) => e.originatorVersion),
          [2, 3],
        );
      } finally {
        await factory.close();
      }
    });

    test('concurrent snapshot-and-events selects get what one at a time gets', async () => {
      const { factory, rec, counts } = await recorder();
      try {
        const snapshots = factory.aggregateRecorder('snapshots');
        await snapshots.ready();
        const ids = Array.from({ length: 20 }, () => randomUUID());
        await rec.insertEvents(ids.flatMap((id) => [1, 2, 3, 4].map((v) => event(id, v))));
        // Snapshots at version 2 for the first ten, and at 3 as well for the first five.
        await snapshots.insertEvents([
          ...ids.slice(0, 10).map((id) => event(id, 2)),
          ...ids.slice(0, 5).map((id) => event(id, 3)),
        ]);
        const asked = [...ids, ids[0]!.toUpperCase(), ids[12]!, randomUUID(), 'not a uuid'];
        counts.reads = 0;
        const together = await Promise.all(
          asked.map((id) => rec.selectSnapshotAndEvents(id, snapshots)),
        );
        assert.ok(counts.batched >= 1, 'some selects were combined');
        assert.ok(counts.reads < asked.length - 1, `${counts.reads} statements`);
        for (let i = 0; i < asked.length; i++) {
          const alone = await rec.selectSnapshotAndEvents(asked[i]!, snapshots);
          assert.deepEqual(together[i], alone, asked[i]);
        }
        const versions = (i: number) => {
          const got = together[i]!;
          return [
            got.snapshot?.originatorVersion ?? null,
            got.events.map((e) => e.originatorVersion),
          ];
        };
        assert.deepEqual(versions(0), [3, [4]]);
        assert.deepEqual(versions(7), [2, [3, 4]]);
        assert.deepEqual(versions(15), [null, [1, 2, 3, 4]]);
        assert.deepEqual(versions(20), [3, [4]], 'an upper-case id');
        assert.deepEqual(versions(22), [null, []], 'an unknown id');
        assert.equal(together[0]!.snapshot?.originatorId, ids[0]);
        assert.notEqual(together[12]!.events, together[21]!.events, 'arrays of their own');
        // A bounded select is never combined, and still right.
        const bounded = await Promise.all(
          ids.map((id) => rec.selectSnapshotAndEvents(id, snapshots, 2)),
        );
        assert.deepEqual(bounded[0]!.snapshot?.originatorVersion, 2);
        assert.deepEqual(bounded[0]!.events, []);
        assert.deepEqual(
          bounded[15]!.events.map((e) => e.originatorVersion),
          [1, 2],
        );
      } finally {
        await factory.close();
      }
    });

    test('with text ids, a select that fails (a NUL in the id) fails alone', async () => {
      const { factory, rec, counts } = await recorder({ ORIGINATOR_ID_TYPE: 'text' });
      try {
        // Ids that need quoting in an array literal, and one that reads as NULL unquoted.
        const odd = ['say "hi"', 'a,b', 'back\\slash', '{brace}', 'NULL', ''];
        const ids = [...odd, ...Array.from({ length: 6 }, (_, i) => `dog ${i}`)];
        await rec.insertEvents(ids.map((id) => event(id, 1)));
        const results = await Promise.allSettled(
          [...ids.slice(0, 6), 'bad\u0000id', ...ids.slice(6)].map((id) => rec.selectEvents(id)),
        );
        assert.ok(counts.batched >= 1, 'some selects were combined');
        assert.equal(results[6]!.status, 'rejected');
        const fulfilled = results.filter((r) => r.status === 'fulfilled');
        assert.equal(fulfilled.length, 12);
        const read = [...ids.slice(0, 6), null, ...ids.slice(6)];
        results.forEach((r, i) => {
          if (r.status !== 'fulfilled') return;
          assert.deepEqual(
            r.value.map((e) => e.originatorId),
            [read[i]],
          );
        });
      } finally {
        await factory.close();
      }
    });
  });
});
