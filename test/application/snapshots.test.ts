import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Application } from '../../src/application/index.js';
import { Aggregate, aggregate, event } from '../../src/domain/index.js';

@aggregate('Opened')
class Counter extends Aggregate {
  count = 0;
  constructor() {
    super();
  }

  @event('Incremented')
  increment(by: number): void {
    this.count += by;
  }
}

class Counters extends Application {
  async open(): Promise<string> {
    const counter = new Counter();
    await this.save(counter);
    return counter.id;
  }
  async increment(id: string, times = 1): Promise<void> {
    const counter = await this.repository.get<Counter>(id);
    for (let i = 0; i < times; i++) counter.increment(1);
    await this.save(counter);
  }
}

describe('snapshots', () => {
  test('takeSnapshot without snapshotting enabled says how to enable it', async () => {
    await using app = new Counters();
    const id = await app.open();
    await assert.rejects(app.takeSnapshot(id), /IS_SNAPSHOTTING_ENABLED/);
  });

  test('takeSnapshot stores a snapshot that get starts from', async () => {
    await using app = new Counters({ env: { IS_SNAPSHOTTING_ENABLED: 'y' } });
    const id = await app.open();
    await app.increment(id, 3);
    await app.takeSnapshot(id);
    const snapshots = await app.snapshots?.get(id);
    assert.equal(snapshots?.length, 1);
    assert.equal(snapshots?.[0]?.originatorVersion, 4);
    await app.increment(id, 2);
    const counter = await app.repository.get<Counter>(id);
    assert.equal(counter.count, 5);
    assert.equal(counter.version, 6);
    assert.ok(counter instanceof Counter);
    // Earlier versions are still reconstructed from events alone.
    assert.equal((await app.repository.get<Counter>(id, { version: 2 })).count, 1);
    // A snapshot at an earlier version.
    await app.takeSnapshot(id, { version: 3 });
    assert.equal((await app.repository.get<Counter>(id, { version: 3 })).count, 2);
  });

  test('get uses the snapshot rather than the events before it', async () => {
    await using app = new Counters({ env: { IS_SNAPSHOTTING_ENABLED: 'y' } });
    const id = await app.open();
    await app.increment(id, 3);
    await app.takeSnapshot(id);
    // Remove the events the snapshot covers from what the event store returns: get must not need them.
    const originalGet = app.events.get.bind(app.events);
    const asked: unknown[] = [];
    app.events.get = async (originatorId, options) => {
      asked.push(options);
      return originalGet(originatorId, options);
    };
    assert.equal((await app.repository.get<Counter>(id)).count, 3);
    assert.deepEqual(asked, [{ gt: 4, lte: null }]);
  });

  test('snapshottingIntervals take snapshots automatically', async () => {
    class Auto extends Counters {
      static override snapshottingIntervals = new Map([[Counter, 2]]);
    }
    await using app = new Auto();
    const id = await app.open();
    await app.increment(id, 1); // v2
    await app.increment(id, 3); // v3..v5: snapshot at v4
    const versions = (await app.snapshots?.get(id))?.map((s) => s.originatorVersion);
    assert.deepEqual(versions, [2, 4]);
    assert.equal((await app.repository.get<Counter>(id)).count, 4);
  });
});
