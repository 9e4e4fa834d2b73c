import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryDCBRecorder } from '../../src/memory/memory-dcb-recorder.js';
import { MemoryFactory } from '../../src/memory/memory-factory.js';
import { matchesQuery } from '../../src/persistence/dcb-query.js';
import type { DCBEvent, DCBQuery } from '../../src/persistence/dcb-recorder.js';
import { dcbRecorderContract } from '../../src/testing/dcb-recorder-contract.js';
import { Environment } from '../../src/utils/environment.js';

dcbRecorderContract(() => new MemoryDCBRecorder());

describe('MemoryDCBRecorder', () => {
  test('the memory factory makes one DCB recorder, the same on every call', async () => {
    const factory = new MemoryFactory(new Environment('Shop'));
    const recorder = factory.dcbRecorder();
    assert.ok(recorder instanceof MemoryDCBRecorder);
    assert.equal(factory.dcbRecorder(), recorder);
    await recorder.append([{ type: 'A', data: new Uint8Array([1]), tags: [] }]);
    assert.equal((await factory.dcbRecorder().read()).head, 1);
    await factory.close();
  });

  test('stopped subscriptions leave no listener behind', async () => {
    const recorder = new MemoryDCBRecorder();
    const subscription = recorder.subscribe();
    const pending = subscription[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(recorder.listenerCount, 1);
    subscription.stop();
    assert.equal((await pending).done, true);
    assert.equal(recorder.listenerCount, 0);
  });

  test('reads and conditions through the tag and type index find what a scan finds', async () => {
    // A small deterministic generator, so a failure repeats.
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = (values: readonly string[], most: number): string[] => [
      ...new Set(
        Array.from({ length: random(most + 1) }, () => values[random(values.length)] as string),
      ),
    ];
    const types = ['A', 'B', 'C'];
    const tags = ['t1', 't2', 't3', 't4'];
    const recorder = new MemoryDCBRecorder();
    const stored: DCBEvent[] = [];
    for (let i = 0; i < 300; i++) {
      const event = {
        type: types[random(3)] as string,
        data: Uint8Array.of(i % 256),
        tags: pick(tags, 3),
      };
      stored.push(event);
      await recorder.append([event]);
    }
    for (let q = 0; q < 300; q++) {
      const query: DCBQuery = {
        items: Array.from({ length: random(3) + 1 }, () => ({
          types: pick(types, 2),
          tags: pick(tags, 2),
        })),
      };
      const after = random(320);
      const expected = stored
        .map((event, i) => ({ event, position: i + 1 }))
        .filter(({ event, position }) => position > after && matchesQuery(event, query))
        .map(({ position }) => position);
      const read = await recorder.read(query, { after });
      assert.deepEqual(
        read.events.map((e) => e.position),
        expected,
        JSON.stringify({ query, after }),
      );
      const backwards = await recorder.read(query, { after, backwards: true, limit: 2 });
      assert.deepEqual(
        backwards.events.map((e) => e.position),
        [...expected].reverse().slice(0, 2),
      );
      const condition = { failIfEventsMatch: query, after };
      const appended = recorder.append(
        [{ type: 'Z', data: new Uint8Array(), tags: ['never'] }],
        condition,
      );
      if (expected.length > 0) {
        await assert.rejects(appended, { name: 'IntegrityError' });
      } else {
        await appended;
        stored.push({ type: 'Z', data: new Uint8Array(), tags: ['never'] });
      }
    }
  });
});
