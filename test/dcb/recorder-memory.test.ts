import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryDCBRecorder } from '../../src/memory/memory-dcb-recorder.js';
import { MemoryFactory } from '../../src/memory/memory-factory.js';
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
});
