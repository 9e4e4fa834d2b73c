import '../../src/register-persistence-modules.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  Factory,
  MemoryAggregateRecorder,
  MemoryApplicationRecorder,
  MemoryFactory,
  MemoryProcessRecorder,
  MemoryTrackingRecorder,
  POPOAggregateRecorder,
  POPOApplicationRecorder,
  POPOFactory,
  POPOProcessRecorder,
  POPOTrackingRecorder,
} from '../../src/memory/index.js';
import { InfrastructureFactory } from '../../src/persistence/infrastructure-factory.js';
import { Environment } from '../../src/utils/environment.js';

const event = (id: string = randomUUID()) => ({
  originatorId: id,
  originatorVersion: 1,
  topic: 't:E',
  state: Uint8Array.of(1),
});

describe('MemoryFactory', () => {
  test('is registered as memory, popo and eventsourcing.popo, and is the default', () => {
    for (const name of ['memory', 'popo', 'eventsourcing.popo', 'eventsourcing.popo:Factory']) {
      const factory = InfrastructureFactory.construct({ PERSISTENCE_MODULE: name });
      assert.ok(factory instanceof MemoryFactory, name);
    }
    assert.ok(InfrastructureFactory.construct({}) instanceof MemoryFactory);
    assert.ok(
      InfrastructureFactory.construct(
        new Environment('Dogs', { DOGS_PERSISTENCE_MODULE: 'popo' }),
      ) instanceof MemoryFactory,
    );
  });

  test('exports the Python names', () => {
    assert.equal(POPOFactory, MemoryFactory);
    assert.equal(Factory, MemoryFactory);
    assert.equal(POPOAggregateRecorder, MemoryAggregateRecorder);
    assert.equal(POPOApplicationRecorder, MemoryApplicationRecorder);
    assert.equal(POPOTrackingRecorder, MemoryTrackingRecorder);
    assert.equal(POPOProcessRecorder, MemoryProcessRecorder);
  });

  test('returns the same recorder on repeated calls, one per purpose', () => {
    const factory = new MemoryFactory(new Environment('App'));
    assert.equal(factory.aggregateRecorder(), factory.aggregateRecorder('events'));
    assert.equal(factory.aggregateRecorder('snapshots'), factory.aggregateRecorder('snapshots'));
    assert.notEqual(factory.aggregateRecorder('snapshots'), factory.aggregateRecorder('events'));
    assert.equal(factory.applicationRecorder(), factory.applicationRecorder());
    assert.equal(factory.applicationRecorder(), factory.processRecorder());
    assert.equal(factory.trackingRecorder(), factory.trackingRecorder());
    assert.ok(factory.applicationRecorder() instanceof MemoryApplicationRecorder);
  });

  test('the tracking recorder shares tracking with the process recorder', async () => {
    const factory = new MemoryFactory(new Environment('App'));
    await factory.processRecorder().insertEvents([event()], {
      tracking: { applicationName: 'upstream', notificationId: 3 },
    });
    assert.equal(await factory.trackingRecorder().maxTrackingId('upstream'), 3);
  });

  test('two factories never share data', async () => {
    const a = new MemoryFactory(new Environment('App'));
    const b = new MemoryFactory(new Environment('App'));
    const id = randomUUID();
    await a.applicationRecorder().insertEvents([event(id)]);
    await a.aggregateRecorder('snapshots').insertEvents([event(id)]);
    await a.trackingRecorder().insertTracking({ applicationName: 'up', notificationId: 1 });
    assert.deepEqual(await b.applicationRecorder().selectEvents(id), []);
    assert.equal(await b.applicationRecorder().maxNotificationId(), null);
    assert.deepEqual(await b.aggregateRecorder('snapshots').selectEvents(id), []);
    assert.equal(await b.trackingRecorder().maxTrackingId('up'), null);
    // The same version is free in the other factory.
    await b.applicationRecorder().insertEvents([event(id)]);
  });

  test('close() stops subscriptions and waits of every recorder it made', async () => {
    const factory = new MemoryFactory(new Environment('App'));
    const recorder = factory.applicationRecorder();
    const pending = recorder.subscribe()[Symbol.asyncIterator]().next();
    const waiting = factory.trackingRecorder().wait('up', 1, { timeout: 60_000 });
    await factory.close();
    assert.deepEqual(await pending, { done: true, value: undefined });
    await assert.rejects(waiting, /Stopped waiting for notification 1 from application 'up'/);
    assert.equal(recorder.listenerCount, 0);
  });
});
