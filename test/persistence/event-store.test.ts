import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerTopic } from '../../src/domain/topics.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import { EventStore } from '../../src/persistence/event-store.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import { Mapper } from '../../src/persistence/mapper.js';
import { Recording } from '../../src/persistence/recording.js';
import { FakeRecorder } from './fixtures/fake-recorder.js';

class Happened {
  declare readonly originatorId: string;
  declare readonly originatorVersion: number;
  declare readonly what: string;
}
registerTopic('tests:Happened', Happened);

const happened = (originatorId: string, originatorVersion: number, what: string): Happened =>
  Object.assign(Object.create(Happened.prototype) as Happened, {
    originatorId,
    originatorVersion,
    what,
  });

const A = 'aaaaaaaa-0000-4000-8000-000000000000';
const B = 'bbbbbbbb-0000-4000-8000-000000000000';

describe('EventStore', () => {
  it('puts all events in one insert and returns recordings with notification ids', async () => {
    const recorder = new FakeRecorder();
    const store = new EventStore(new Mapper({ transcoder: new JSONTranscoder() }), recorder);
    const events = [happened(A, 1, 'x'), happened(B, 1, 'y'), happened(A, 2, 'z')];
    const recordings = await store.put(events, { custom: 1 });
    assert.equal(recorder.insertCalls.length, 1);
    assert.deepEqual(recorder.insertCalls[0]?.options, { custom: 1 });
    assert.equal(recordings.length, 3);
    assert.ok(recordings[0] instanceof Recording);
    assert.deepEqual(
      recordings.map((r) => [
        r.domainEvent,
        r.notification.id,
        r.notification.originatorId,
        r.notification.topic,
      ]),
      [
        [events[0], 1, A, 'tests:Happened'],
        [events[1], 2, B, 'tests:Happened'],
        [events[2], 3, A, 'tests:Happened'],
      ],
    );
    assert.equal(store.recorder, recorder);
    assert.ok(store.mapper instanceof Mapper);
  });

  it('returns no recordings when the recorder gives no notification ids', async () => {
    const store = new EventStore(
      new Mapper({ transcoder: new JSONTranscoder() }),
      new FakeRecorder(false),
    );
    assert.deepEqual(await store.put([happened(A, 1, 'x')]), []);
  });

  it('gets the events of one originator, decoded and in order, with options', async () => {
    const store = new EventStore(
      new Mapper({ transcoder: new JSONTranscoder() }),
      new FakeRecorder(),
    );
    await store.put([
      happened(A, 1, 'x'),
      happened(B, 1, 'y'),
      happened(A, 2, 'z'),
      happened(A, 3, 'w'),
    ]);
    const events = await store.get<Happened>(A);
    assert.deepEqual(
      events.map((e) => [e.originatorVersion, e.what]),
      [
        [1, 'x'],
        [2, 'z'],
        [3, 'w'],
      ],
    );
    assert.ok(events[0] instanceof Happened);
    const some = await store.get<Happened>(A, { gt: 1, desc: true, limit: 1 });
    assert.deepEqual(
      some.map((e) => e.originatorVersion),
      [3],
    );
    assert.deepEqual(await store.get(B, { lte: 0 }), []);
  });

  it('rejects (does not throw) when an event cannot be mapped or stored', async () => {
    const store = new EventStore(
      new Mapper({ transcoder: new JSONTranscoder() }),
      new FakeRecorder(),
    );
    const bad = happened(A, 1, Symbol('s') as unknown as string);
    const result = store.put([bad]);
    assert.ok(result instanceof Promise);
    await assert.rejects(result, /not serializable/);
    await store.put([happened(A, 1, 'x')]);
    await assert.rejects(store.put([happened(A, 1, 'again')]), IntegrityError);
  });
});
