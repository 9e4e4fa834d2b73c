// Byte bounds of the PostgreSQL write path: group commit never sends more state bytes in one call
// than a bound, so large concurrent saves each succeed or fail alone, and a save too large to send
// at all is a clear DataError that stores nothing.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { DataError } from '../../src/persistence/errors.js';
import type { StoredEvent } from '../../src/persistence/stored-event.js';
import { PostgresApplicationRecorder, PostgresFactory } from '../../src/postgres/index.js';
import { Environment } from '../../src/utils/environment.js';
import { baseEnv, dropPrefix, whenPostgres } from './helpers.js';

const prefix = `es_size_${randomBytes(4).toString('hex')}`;
let counter = 0;

function event(state: Uint8Array, version = 1): StoredEvent {
  return { originatorId: randomUUID(), originatorVersion: version, topic: 'Big.Stored', state };
}

whenPostgres(() => {
  const factories: PostgresFactory[] = [];
  after(async () => {
    for (const factory of factories) await factory.close();
    await dropPrefix(prefix);
  });

  function recorder(maxGroupBytes?: number): PostgresApplicationRecorder {
    const factory = new PostgresFactory(new Environment(`${prefix}_${++counter}`, baseEnv));
    factories.push(factory);
    const options = maxGroupBytes === undefined ? {} : { maxGroupBytes };
    return new PostgresApplicationRecorder(
      factory.datastore,
      `${prefix}_${counter}_events`,
      options,
    );
  }

  describe('byte bounds of group commit', () => {
    /** Concurrent saves of 15 MB each: every one stored, in calls of one save each. */
    async function fifteenMegabyteSaves(n: number): Promise<void> {
      const r = recorder();
      await r.ready();
      // One buffer shared by every save keeps the test's own memory at 15 MB.
      const state = Buffer.alloc(15_000_000, 'fifteen megabytes ');
      const saves = Array.from({ length: n }, () => event(state));
      const before = r.insertCalls;
      const results = await Promise.allSettled(saves.map((e) => r.insertEvents([e])));
      assert.deepEqual(
        results.map((x) => (x.status === 'fulfilled' ? 'ok' : String(x.reason))),
        saves.map(() => 'ok'),
      );
      // Above the default bound of 16 MiB a group holds one save.
      assert.equal(r.insertCalls - before, n);
      const ids = results.map((x) => (x as PromiseFulfilledResult<number[]>).value[0]);
      assert.equal(new Set(ids).size, n);
      const stored = await r.selectEvents(saves[n - 1]!.originatorId);
      assert.equal(stored.length, 1);
      assert.ok(Buffer.from(stored[0]!.state).equals(state));
    }

    test('concurrent saves of 15 MB each all succeed, each sent in a call of its own', () =>
      fifteenMegabyteSaves(2));

    // The reported case: 300 MB of states, whose hex passed V8's string limit as one group. It
    // takes about 20 s (the server spends about 1 s on each 15 MB save).
    test('twenty concurrent saves of 15 MB each all succeed', () => fifteenMegabyteSaves(20));

    test('a group holds at most maxGroupBytes of states, and every save is stored once', async () => {
      const r = recorder(1000);
      await r.ready();
      const saves = Array.from({ length: 12 }, () => event(randomBytes(400)));
      const before = r.insertCalls;
      const ids = await Promise.all(saves.map((e) => r.insertEvents([e])));
      // 400 + 400 fits 1000, a third does not: six calls of two saves.
      assert.equal(r.insertCalls - before, 6);
      assert.equal(new Set(ids.flat()).size, 12);
      for (const e of saves) {
        const [stored] = await r.selectEvents(e.originatorId);
        assert.ok(stored !== undefined && Buffer.from(stored.state).equals(Buffer.from(e.state)));
      }
    });

    test('a save larger than maxGroupBytes is sent alone beside small saves, which still go together', async () => {
      const r = recorder(1000);
      await r.ready();
      const saves = [
        event(randomBytes(5000)),
        ...Array.from({ length: 4 }, () => event(randomBytes(10))),
      ];
      const before = r.insertCalls;
      const ids = await Promise.all(saves.map((e) => r.insertEvents([e])));
      assert.equal(r.insertCalls - before, 2);
      assert.equal(new Set(ids.flat()).size, 5);
    });

    test('a save too large to send is a DataError naming its size and the limit, and stores nothing', async () => {
      const r = recorder();
      await r.ready();
      const small = event(Buffer.from('small'));
      // Zero-filled and never written: the pages of this buffer are not touched.
      const huge = Buffer.alloc(270_000_000);
      const big = [event(huge, 1)];
      big.push({ ...big[0]!, originatorVersion: 2, state: Buffer.from('x') });
      const before = await r.maxNotificationId();
      const [okSave, bigSave] = await Promise.allSettled([
        r.insertEvents([small]),
        r.insertEvents(big),
      ]);
      assert.equal(okSave.status, 'fulfilled');
      assert.equal(bigSave.status, 'rejected');
      const error = (bigSave as PromiseRejectedResult).reason as Error;
      assert.ok(error instanceof DataError, String(error));
      assert.match(error.message, /270000001 bytes in all \(2 events\)/);
      assert.match(error.message, /is 268435439 bytes/);
      assert.match(error.message, /Nothing was stored/);
      assert.deepEqual(await r.selectEvents(big[0]!.originatorId), []);
      assert.equal(await r.maxNotificationId(), (before ?? 0) + 1);
    });

    test('the snapshot (aggregate) recorder rejects a save too large to send the same way', async () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_${++counter}`, baseEnv));
      factories.push(factory);
      const snapshots = factory.aggregateRecorder('snapshots');
      const e = event(Buffer.alloc(300_000_000));
      await assert.rejects(snapshots.insertEvents([e]), DataError);
      assert.deepEqual(await snapshots.selectEvents(e.originatorId), []);
    });

    test('maxGroupBytes must be a positive integer', () => {
      const factory = new PostgresFactory(new Environment(`${prefix}_x`, baseEnv));
      factories.push(factory);
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        assert.throws(
          () => new PostgresApplicationRecorder(factory.datastore, 'x', { maxGroupBytes: bad }),
          /maxGroupBytes must be a positive integer number of bytes/,
        );
      }
    });
  });
});
