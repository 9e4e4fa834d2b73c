import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { TopicError } from '../../src/domain/errors.js';
import { registerTopic } from '../../src/domain/topics.js';
import { AESCipher } from '../../src/persistence/aes-cipher.js';
import {
  MapperDeserialisationError,
  TranscodingNotRegisteredError,
} from '../../src/persistence/errors.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import { Mapper } from '../../src/persistence/mapper.js';
import type { StoredEvent } from '../../src/persistence/stored-event.js';
import { ZlibCompressor } from '../../src/persistence/zlib-compressor.js';
import { Environment } from '../../src/utils/environment.js';

const ID = '0e3a1d2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function make<T extends object>(cls: { prototype: T }, fields: Record<string, unknown>): T {
  return Object.assign(Object.create(cls.prototype) as T, fields);
}

class Registered {
  declare readonly originatorId: string;
  declare readonly originatorVersion: number;
  declare readonly timestamp: Date;
  declare readonly originatorTopic: string;
  declare readonly name: string;
  constructor() {
    throw new Error('the mapper must not call constructors');
  }
}
registerTopic('dogs:Dog.Registered', Registered);

class Renamed {
  declare readonly originatorId: string;
  declare readonly originatorVersion: number;
  declare readonly fullName: string;
  declare readonly nickname: string;
  declare readonly tags: string[];
  static readonly classVersion = 3;
  // v1 {name} → v2 {name, nickname} → v3 {fullName, nickname, tags}, each in place.
  static upcastV1V2(state: Record<string, unknown>): void {
    state.nickname = 'none';
  }
  static upcastV2V3(state: Record<string, unknown>): void {
    state.fullName = state.name;
    delete state.name;
    state.tags = [];
  }
}
registerTopic('dogs:Dog.Renamed', Renamed);

class MissingUpcaster {
  declare readonly originatorId: string;
  declare readonly originatorVersion: number;
  static readonly classVersion = 2;
}
registerTopic('tests:MissingUpcaster', MissingUpcaster);

const registered = (): Registered =>
  make(Registered, {
    originatorId: ID,
    originatorVersion: 1,
    timestamp: new Date('2024-02-07T15:32:51.123Z'),
    originatorTopic: 'dogs:Dog',
    name: 'Fido',
  });

describe('Mapper', () => {
  const mapper = new Mapper({ transcoder: new JSONTranscoder() });

  it('writes the topic, id and version, and the state without id and version', () => {
    const stored = mapper.toStoredEvent(registered());
    assert.equal(stored.originatorId, ID);
    assert.equal(stored.originatorVersion, 1);
    assert.equal(stored.topic, 'dogs:Dog.Registered');
    assert.equal(
      text(stored.state),
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123000+00:00"},' +
        '"originator_topic":"dogs:Dog","name":"Fido"}',
    );
  });

  it('reads an event without calling its constructor, with originatorTopic, frozen', () => {
    const event = mapper.toDomainEvent<Registered>(mapper.toStoredEvent(registered()));
    assert.ok(event instanceof Registered);
    assert.deepStrictEqual({ ...event }, { ...registered() });
    assert.equal(event.originatorTopic, 'dogs:Dog');
    assert.ok(Object.isFrozen(event));
  });

  it("reads Python's stored form of the event", () => {
    const event = mapper.toDomainEvent<Registered>({
      originatorId: ID,
      originatorVersion: 1,
      topic: 'dogs:Dog.Registered',
      state: bytes(
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123456+00:00"},' +
          '"originator_topic":"dogs:Dog","name":"Fido"}',
      ),
    });
    assert.equal(event.timestamp.toISOString(), '2024-02-07T15:32:51.123Z');
    assert.equal(event.name, 'Fido');
    assert.equal(event.originatorVersion, 1);
  });

  it("reads the same event with or without the transcoder's decodeFields fast path", () => {
    const json = new JSONTranscoder();
    // The same transcoder without decodeFields: the mapper decodes state and copies it.
    const plain = new Mapper({
      transcoder: { encode: (obj) => json.encode(obj), decode: (data) => json.decode(data) },
    });
    const states = [
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123456+00:00"},' +
        '"originator_topic":"dogs:Dog","name":"Fido"}',
      '{"name":"Rex","originatorId":"other","originatorVersion":9,"class_version":1}',
      '{"name":"Quoted \\"Rex\\"","originator_topic":"dogs:Dog"}',
      '{"__proto__":{"polluted":true},"name":"Proto"}',
      '{ "name": "Spaced" }',
      '{"name":{"_type_":"set","_data_":["a"]},"tags":[{"_type_":"map","_data_":[["k",1]]}]}',
    ];
    for (const state of states) {
      const stored = { originatorId: ID, originatorVersion: 3, topic: 'dogs:Dog.Registered' };
      const fast = mapper.toDomainEvent<Registered>({ ...stored, state: bytes(state) });
      const slow = plain.toDomainEvent<Registered>({ ...stored, state: bytes(state) });
      assert.ok(fast instanceof Registered && Object.isFrozen(fast), state);
      assert.deepEqual(Object.keys(fast), Object.keys(slow), state);
      assert.deepEqual({ ...fast }, { ...slow }, state);
      assert.equal(fast.originatorId, ID);
      assert.equal(fast.originatorVersion, 3);
      assert.equal(Object.getPrototypeOf(fast), Registered.prototype);
    }
  });

  it('takes id and version from the stored event, not from the state', () => {
    const event = mapper.toDomainEvent<Registered>({
      originatorId: ID,
      originatorVersion: 7,
      topic: 'dogs:Dog.Registered',
      state: bytes('{"originatorId":"other","originatorVersion":1,"name":"Fido"}'),
    });
    assert.equal(event.originatorId, ID);
    assert.equal(event.originatorVersion, 7);
  });

  it('writes class_version when the class version is above 1', () => {
    const stored = mapper.toStoredEvent(
      make(Renamed, {
        originatorId: ID,
        originatorVersion: 2,
        fullName: 'Fido',
        nickname: 'F',
        tags: ['a'],
      }),
    );
    assert.equal(
      text(stored.state),
      '{"fullName":"Fido","nickname":"F","tags":["a"],"class_version":3}',
    );
    const event = mapper.toDomainEvent<Renamed>(stored);
    assert.deepEqual(
      { ...event },
      { originatorId: ID, originatorVersion: 2, fullName: 'Fido', nickname: 'F', tags: ['a'] },
    );
    assert.ok(!('class_version' in event));
  });

  it('upcasts old state across several versions on read', () => {
    const v1: StoredEvent = {
      originatorId: ID,
      originatorVersion: 2,
      topic: 'dogs:Dog.Renamed',
      state: bytes('{"name":"Rex"}'),
    };
    assert.deepEqual(
      { ...mapper.toDomainEvent(v1) },
      { originatorId: ID, originatorVersion: 2, fullName: 'Rex', nickname: 'none', tags: [] },
    );
    const v2: StoredEvent = {
      ...v1,
      state: bytes('{"name":"Rex","nickname":"R","class_version":2}'),
    };
    assert.deepEqual(
      { ...mapper.toDomainEvent(v2) },
      { originatorId: ID, originatorVersion: 2, fullName: 'Rex', nickname: 'R', tags: [] },
    );
  });

  it('reports a missing upcaster as a deserialisation error that names it', () => {
    assert.throws(
      () =>
        mapper.toDomainEvent({
          originatorId: ID,
          originatorVersion: 1,
          topic: 'tests:MissingUpcaster',
          state: bytes('{}'),
        }),
      /no static upcastV1V2/,
    );
  });

  it('compresses then encrypts on write, and reverses that on read', () => {
    const cipher = new AESCipher(new Environment('', { CIPHER_KEY: AESCipher.createKey() }));
    const compressor = new ZlibCompressor();
    const secret = new Mapper({ transcoder: new JSONTranscoder(), compressor, cipher });
    const stored = secret.toStoredEvent(registered());
    assert.throws(() => JSON.parse(text(stored.state)));
    assert.ok(!text(stored.state).includes('Fido'));
    const compressed = cipher.decrypt(stored.state);
    assert.equal(compressed[0], 0x78);
    assert.match(text(compressor.decompress(compressed)), /"name":"Fido"/);
    assert.deepStrictEqual({ ...secret.toDomainEvent(stored) }, { ...registered() });
    // Another mapper without the key cannot read it.
    assert.throws(() => mapper.toDomainEvent(stored), MapperDeserialisationError);
  });

  it('names topic, id and version when a stored event cannot be read, with the cause', () => {
    const stored: StoredEvent = {
      originatorId: ID,
      originatorVersion: 5,
      topic: 'dogs:Dog.Registered',
      state: bytes('{oops'),
    };
    assert.throws(
      () => mapper.toDomainEvent(stored),
      (error: unknown) => {
        assert.ok(error instanceof MapperDeserialisationError);
        assert.match(error.message, /topic 'dogs:Dog\.Registered'/);
        assert.match(error.message, new RegExp(`originator id '${ID}'`));
        assert.match(error.message, /version 5/);
        assert.ok(error.cause instanceof SyntaxError);
        return true;
      },
    );
    assert.throws(
      () => mapper.toDomainEvent({ ...stored, state: bytes('[1,2]') }),
      /decoded state is not an object/,
    );
  });

  it('wraps an unknown topic in a deserialisation error', () => {
    assert.throws(
      () =>
        mapper.toDomainEvent({
          originatorId: ID,
          originatorVersion: 1,
          topic: 'nowhere:Nothing',
          state: bytes('{}'),
        }),
      (error: unknown) => {
        assert.ok(error instanceof MapperDeserialisationError);
        assert.ok(error.cause instanceof TopicError);
        assert.match(error.message, /nowhere:Nothing/);
        return true;
      },
    );
  });

  it('keeps a missing transcoding on read a TranscodingNotRegisteredError that names the event', () => {
    assert.throws(
      () =>
        mapper.toDomainEvent({
          originatorId: ID,
          originatorVersion: 3,
          topic: 'dogs:Dog.Registered',
          state: bytes('{"name":{"_type_":"point","_data_":[1,2]}}'),
        }),
      (error: unknown) => {
        assert.ok(error instanceof TranscodingNotRegisteredError);
        assert.match(error.message, /"point".*topic 'dogs:Dog\.Registered'.*version 3/);
        return true;
      },
    );
  });

  it("writes the same bytes with or without the transcoder's encodeFields fast path", () => {
    const json = new JSONTranscoder();
    const plain = new Mapper({
      transcoder: { encode: (obj) => json.encode(obj), decode: (data) => json.decode(data) },
    });
    const at = new Date('2024-02-07T15:32:51.123Z');
    const events = [
      registered(),
      make(Registered, {
        originatorId: ID,
        originatorVersion: 2,
        name: undefined,
        n: [1, undefined],
      }),
      make(Registered, {
        originatorId: ID,
        originatorVersion: 2,
        originator_topic: 'x',
        name: 'a',
      }),
      make(Registered, { originatorId: ID, originatorVersion: 2, class_version: 5, name: 'b' }),
      make(
        Registered,
        JSON.parse('{"originatorId":"x","originatorVersion":2,"__proto__":{"a":1}}'),
      ),
      make(Renamed, { originatorId: ID, originatorVersion: 2, fullName: 'F', tags: [at] }),
      make(Renamed, { originatorId: ID, originatorVersion: 2, class_version: 1, fullName: 'G' }),
    ];
    for (const event of events) {
      const fast = mapper.toStoredEvent(event);
      const slow = plain.toStoredEvent(event);
      assert.equal(text(fast.state), text(slow.state));
      assert.equal(fast.topic, slow.topic);
    }
    assert.equal(
      text(mapper.toStoredEvent(events[5]!).state),
      '{"fullName":"F","tags":[{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123000+00:00"}],' +
        '"class_version":3}',
    );
  });

  it('rejects an unregistered value on write with TranscodingNotRegisteredError', () => {
    class Thing {}
    assert.throws(
      () =>
        mapper.toStoredEvent(
          make(Registered, { originatorId: ID, originatorVersion: 1, name: new Thing() }),
        ),
      /Object of type Thing is not serializable \(at \$\.name\)/,
    );
  });

  it('rejects an event without a string id or a number version', () => {
    assert.throws(
      () => mapper.toStoredEvent(make(Registered, { originatorVersion: 1 })),
      TypeError,
    );
    assert.throws(
      () => mapper.toStoredEvent(make(Registered, { originatorId: ID, originatorVersion: '1' })),
      TypeError,
    );
  });

  it('needs a transcoder', () => {
    assert.throws(() => new Mapper({} as never), /needs a transcoder/);
  });
});
