// EventStore.getSnapshotAndEvents: what the repository asks for, in one read when the recorder
// can (a SnapshotReader), else in two.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerTopic } from '../../src/domain/topics.js';
import { MemoryAggregateRecorder } from '../../src/memory/index.js';
import { EventStore } from '../../src/persistence/event-store.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import { Mapper } from '../../src/persistence/mapper.js';
import type {
  AggregateRecorder,
  SnapshotAndEvents,
  SnapshotReader,
} from '../../src/persistence/recorders.js';

class Noted {
  declare readonly originatorId: string;
  declare readonly originatorVersion: number;
  declare readonly note: string;
}
registerTopic('event-store-snapshots:Noted', Noted);

const ID = 'cccccccc-0000-4000-8000-000000000000';
const noted = (originatorVersion: number): Noted =>
  Object.assign(Object.create(Noted.prototype) as Noted, {
    originatorId: ID,
    originatorVersion,
    note: `n${originatorVersion}`,
  });
const mapper = new Mapper({ transcoder: new JSONTranscoder() });

/** A memory recorder that also reads snapshot and events together, counting its reads. */
class ReaderRecorder extends MemoryAggregateRecorder implements SnapshotReader {
  together = 0;
  async selectSnapshotAndEvents(
    originatorId: string,
    snapshots: AggregateRecorder,
    lte?: number | null,
  ): Promise<SnapshotAndEvents | null> {
    this.together += 1;
    const [snapshot] = await snapshots.selectEvents(originatorId, { desc: true, limit: 1, lte });
    const gt = snapshot?.originatorVersion ?? null;
    return {
      snapshot: snapshot ?? null,
      events: await this.selectEvents(originatorId, { gt, lte }),
    };
  }
}

async function stores(events: EventStore, snapshots: EventStore): Promise<void> {
  await events.put([1, 2, 3, 4, 5].map(noted));
  await snapshots.put([noted(2), noted(4)]);
}

describe('EventStore.getSnapshotAndEvents', () => {
  for (const [kind, recorder] of [
    ['two reads', new MemoryAggregateRecorder()],
    ['one read of a SnapshotReader', new ReaderRecorder()],
  ] as const) {
    it(`gives the latest snapshot and the events after it (${kind})`, async () => {
      const events = new EventStore(mapper, recorder);
      const snapshots = new EventStore(mapper, new MemoryAggregateRecorder());
      await stores(events, snapshots);
      const latest = await events.getSnapshotAndEvents<Noted, Noted>(ID, snapshots);
      assert.equal(latest.snapshot?.originatorVersion, 4);
      assert.deepEqual(
        latest.events.map((e) => e.note),
        ['n5'],
      );
      const atThree = await events.getSnapshotAndEvents<Noted, Noted>(ID, snapshots, 3);
      assert.equal(atThree.snapshot?.originatorVersion, 2);
      assert.deepEqual(
        atThree.events.map((e) => e.originatorVersion),
        [3],
      );
      const atOne = await events.getSnapshotAndEvents<Noted, Noted>(ID, snapshots, 1);
      assert.equal(atOne.snapshot, null);
      assert.deepEqual(
        atOne.events.map((e) => e.originatorVersion),
        [1],
      );
      if (recorder instanceof ReaderRecorder) assert.equal(recorder.together, 3);
    });
  }
});
