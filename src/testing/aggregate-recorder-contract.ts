import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { DataError, IntegrityError } from '../persistence/errors.js';
import type { AggregateRecorder } from '../persistence/recorders.js';
import type { StoredEvent } from '../persistence/stored-event.js';
import {
  assertSameEvent,
  assertSameEvents,
  type CreateRecorder,
  contractTest,
  type RecorderContractOptions,
  storedEvent,
} from './contract-helpers.js';

/**
 * Defines `node:test` tests of the guarantees every aggregate recorder keeps: round trips,
 * batch atomicity, `IntegrityError` on duplicates, `selectEvents` options, text ids, bad input
 * and concurrent writers. Call it at the top level of a test file.
 */
export function aggregateRecorderContract<R extends AggregateRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  describe('AggregateRecorder contract', () => {
    aggregateRecorderTests(create, options);
  });
}

/**
 * Defines the aggregate recorder tests in the current `describe` block (the application and
 * process recorder contracts include them).
 */
export function aggregateRecorderTests<R extends AggregateRecorder>(
  create: CreateRecorder<R>,
  options?: RecorderContractOptions<R>,
): void {
  const it = contractTest(create, options);

  it('inserted events are selected by originator id, in version order', async (recorder: R) => {
    const id = randomUUID();
    const other = randomUUID();
    const e1 = storedEvent(id, 1, 'tests:Created');
    const e2 = storedEvent(id, 2, 'tests:Changed');
    const o1 = storedEvent(other, 1);
    await recorder.insertEvents([e1]);
    await recorder.insertEvents([o1, e2]);
    assertSameEvents(await recorder.selectEvents(id), [e1, e2]);
    assertSameEvents(await recorder.selectEvents(other), [o1]);
    assert.deepEqual(await recorder.selectEvents(randomUUID()), []);
  });

  it('state bytes are stored exactly, and later changes to the caller’s bytes do not leak in', async (recorder: R) => {
    const id = randomUUID();
    const bytes = new Uint8Array(256);
    for (let i = 0; i < 256; i++) bytes[i] = i;
    const event = storedEvent(id, 1, 'tests:Bytes', bytes);
    const expected = storedEvent(id, 1, 'tests:Bytes', bytes.slice());
    const buffer = storedEvent(id, 2, 'tests:Buffer', Buffer.from([0, 1, 2, 0xff]));
    await recorder.insertEvents([event, buffer]);
    bytes.fill(7);
    const [first, second] = await recorder.selectEvents(id);
    assertSameEvent(first, expected);
    assertSameEvent(second, storedEvent(id, 2, 'tests:Buffer', Uint8Array.of(0, 1, 2, 0xff)));
  });

  it('an empty batch stores nothing', async (recorder: R) => {
    await recorder.insertEvents([]);
    const id = randomUUID();
    await recorder.insertEvents([storedEvent(id, 1)]);
    assert.equal((await recorder.selectEvents(id)).length, 1);
  });

  it('a version already stored is an IntegrityError, and nothing of the batch is stored', async (recorder: R) => {
    const id = randomUUID();
    const other = randomUUID();
    const e1 = storedEvent(id, 1);
    await recorder.insertEvents([e1]);
    await assert.rejects(
      recorder.insertEvents([storedEvent(other, 1), storedEvent(id, 2), storedEvent(id, 1)]),
      IntegrityError,
    );
    assertSameEvents(await recorder.selectEvents(id), [e1]);
    assert.deepEqual(await recorder.selectEvents(other), []);
    // The same batch without the duplicate is fine.
    await recorder.insertEvents([storedEvent(other, 1), storedEvent(id, 2)]);
    assert.equal((await recorder.selectEvents(id)).length, 2);
  });

  it('a version repeated within a batch is an IntegrityError, and nothing of the batch is stored', async (recorder: R) => {
    const id = randomUUID();
    const other = randomUUID();
    await assert.rejects(
      recorder.insertEvents([storedEvent(id, 1), storedEvent(id, 1)]),
      IntegrityError,
    );
    await assert.rejects(
      recorder.insertEvents([storedEvent(id, 1), storedEvent(other, 1), storedEvent(id, 1)]),
      IntegrityError,
    );
    await assert.rejects(
      recorder.insertEvents([storedEvent(id, 2), storedEvent(id, 1), storedEvent(id, 2)]),
      IntegrityError,
    );
    assert.deepEqual(await recorder.selectEvents(id), []);
    assert.deepEqual(await recorder.selectEvents(other), []);
  });

  it('events may be inserted out of version order and are selected in version order', async (recorder: R) => {
    const id = randomUUID();
    const e1 = storedEvent(id, 1);
    const e2 = storedEvent(id, 2);
    const e3 = storedEvent(id, 3);
    await recorder.insertEvents([e3, e1]);
    await recorder.insertEvents([e2]);
    assertSameEvents(await recorder.selectEvents(id), [e1, e2, e3]);
  });

  it('selectEvents options: gt, lte, desc and limit, alone and together', async (recorder: R) => {
    const id = randomUUID();
    const events = [1, 2, 3, 4, 5].map((v) => storedEvent(id, v));
    const [e1, e2, e3, e4, e5] = events as [
      StoredEvent,
      StoredEvent,
      StoredEvent,
      StoredEvent,
      StoredEvent,
    ];
    await recorder.insertEvents(events);
    const select = (o: Parameters<AggregateRecorder['selectEvents']>[1]) =>
      recorder.selectEvents(id, o);
    assertSameEvents(await select({}), events);
    assertSameEvents(await select({ gt: null, lte: null, limit: null }), events);
    assertSameEvents(await select({ gt: 2 }), [e3, e4, e5]);
    assertSameEvents(await select({ gt: 0 }), events);
    assertSameEvents(await select({ gt: 5 }), []);
    assertSameEvents(await select({ lte: 2 }), [e1, e2]);
    assertSameEvents(await select({ lte: 0 }), []);
    assertSameEvents(await select({ gt: 1, lte: 3 }), [e2, e3]);
    assertSameEvents(await select({ gt: 3, lte: 3 }), []);
    assertSameEvents(await select({ desc: true }), [e5, e4, e3, e2, e1]);
    assertSameEvents(await select({ desc: false }), events);
    assertSameEvents(await select({ limit: 2 }), [e1, e2]);
    assertSameEvents(await select({ limit: 0 }), []);
    assertSameEvents(await select({ limit: 10 }), events);
    assertSameEvents(await select({ desc: true, limit: 2 }), [e5, e4]);
    assertSameEvents(await select({ gt: 1, limit: 2 }), [e2, e3]);
    assertSameEvents(await select({ lte: 4, desc: true, limit: 2 }), [e4, e3]);
    assertSameEvents(await select({ gt: 1, lte: 4, desc: true }), [e4, e3, e2]);
    assertSameEvents(await select({ gt: 1, lte: 4, desc: true, limit: 1 }), [e4]);
  });

  if (options?.textIds ?? true) {
    it('originator ids that are not UUIDs are stored and selected', async (recorder: R) => {
      const suffix = randomUUID().slice(0, 8);
      const ids = [`dog-${suffix}`, `ünïcödé/名前/${suffix}`, `with space ${suffix}`];
      const events = ids.map((id) => storedEvent(id, 1));
      await recorder.insertEvents(events);
      for (let i = 0; i < ids.length; i++) {
        assertSameEvents(await recorder.selectEvents(ids[i]!), [events[i]!]);
      }
      await assert.rejects(recorder.insertEvents([storedEvent(ids[0], 1)]), IntegrityError);
    });
  }

  it('malformed events reject (never throw synchronously), and nothing of the batch is stored', async (recorder: R) => {
    const id = randomUUID();
    const bad: unknown[] = [
      { ...storedEvent(id, 2), originatorVersion: 1.5 },
      { ...storedEvent(id, 2), originatorVersion: '2' },
      { ...storedEvent(id, 2), originatorId: 42 },
      { ...storedEvent(id, 2), topic: null },
      { ...storedEvent(id, 2), state: 'not bytes' },
      null,
    ];
    for (const event of bad) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = recorder.insertEvents([storedEvent(id, 1), event as StoredEvent]);
      });
      await assert.rejects(promise!, Error);
    }
    assert.deepEqual(await recorder.selectEvents(id), []);
  });

  it('ids and topics holding a lone UTF-16 surrogate reject with DataError, and nothing of the batch is stored', async (recorder: R) => {
    const id = randomUUID();
    const lone = '😀x'.slice(0, 1);
    const loneLow = '😀'.slice(1);
    for (const bad of [
      storedEvent(`${id.slice(0, 30)}${lone}`, 1),
      storedEvent(`dog-${loneLow}`, 1),
      storedEvent(id, 2, `tests:Event${lone}`),
    ]) {
      await assert.rejects(recorder.insertEvents([storedEvent(id, 1), bad]), DataError);
    }
    assert.deepEqual(await recorder.selectEvents(id), []);
    await assert.rejects(recorder.selectEvents(`dog-${lone}`), DataError);
    // A well-formed pair is a character like any other.
    await recorder.insertEvents([storedEvent(id, 1, 'tests:Emoji😀')]);
    assert.equal((await recorder.selectEvents(id))[0]?.topic, 'tests:Emoji😀');
  });

  it('malformed selectEvents arguments reject with TypeError (never throw synchronously)', async (recorder: R) => {
    const id = randomUUID();
    await recorder.insertEvents([storedEvent(id, 1)]);
    const calls = [
      () => recorder.selectEvents(42 as unknown as string),
      () => recorder.selectEvents(id, { gt: 1.5 }),
      () => recorder.selectEvents(id, { lte: '2' as unknown as number }),
      () => recorder.selectEvents(id, { limit: -1 }),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = call();
      });
      await assert.rejects(promise!, TypeError);
    }
  });

  it('an upper-case UUID names one aggregate, whatever case it is written or read in', async (recorder: R) => {
    // Backends that store UUIDs as UUIDs make the cases one aggregate (read back in lower
    // case); text-id backends may keep them apart. Either way, writes and reads must agree.
    const id = randomUUID();
    const upper = id.toUpperCase();
    await recorder.insertEvents([storedEvent(id, 1)]);
    const same = await recorder.insertEvents([storedEvent(upper, 1)]).then(
      () => false,
      (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        return true;
      },
    );
    const read = await recorder.selectEvents(upper);
    if (same) {
      assert.deepEqual(
        read.map((e) => e.originatorId),
        [id],
      );
      assert.equal((await recorder.selectEvents(id)).length, 1);
    } else {
      assert.deepEqual(
        read.map((e) => e.originatorId),
        [upper],
      );
    }
  });

  it('concurrent writers of the same version: exactly one of each conflicting group wins', async (recorder: R) => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const attempts = ids.flatMap((id) =>
      [1, 2, 3].map((writer) =>
        storedEvent(id, 1, 'tests:Written', new TextEncoder().encode(`writer ${writer}`)),
      ),
    );
    const results = await Promise.allSettled(attempts.map((e) => recorder.insertEvents([e])));
    for (let i = 0; i < ids.length; i++) {
      const group = results.slice(i * 3, i * 3 + 3);
      const winners = group.flatMap((r, j) => (r.status === 'fulfilled' ? [j] : []));
      assert.equal(winners.length, 1, `one writer of ${ids[i]} should win`);
      for (const r of group) {
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof IntegrityError, String(r.reason));
      }
      const stored = await recorder.selectEvents(ids[i]!);
      assertSameEvents(stored, [attempts[i * 3 + winners[0]!]!]);
    }
  });

  it('concurrent writers of different originators all succeed', async (recorder: R) => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(
      ids.map((id) => recorder.insertEvents([storedEvent(id, 1), storedEvent(id, 2)])),
    );
    for (const id of ids) assert.equal((await recorder.selectEvents(id)).length, 2);
  });
}
