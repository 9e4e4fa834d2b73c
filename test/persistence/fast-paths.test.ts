// The plain path and the fast paths (src/persistence/fast/) must give the same results: the
// same bytes on write, equal values and events on read, the same errors. A differential test
// over generated values and events, and the transcoder's and mapper's own suites run again with
// the fast paths off (EVENTSOURCING_FAST_PATHS=no).
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registerTopic } from '../../src/domain/topics.js';
import { MemoryAggregateRecorder } from '../../src/memory/memory-aggregate-recorder.js';
import { fastPathsByDefault } from '../../src/persistence/fast/fast-paths.js';
import { keptSlot } from '../../src/persistence/fast/kept-events.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import { Mapper } from '../../src/persistence/mapper.js';

const ID = '5d1c7b2e-8f3a-4b6c-9d0e-1f2a3b4c5d6e';

/** A small seeded generator, so that a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const STRINGS = [
  '',
  'a',
  'dog',
  'trick-1',
  'é',
  '😀',
  '😀'.slice(0, 1),
  'a"b',
  'a\\b',
  '\n',
  '\u0001',
  'x'.repeat(80),
  '__proto__',
  '_type_',
  '_data_',
  '1',
  '07',
  'toJSON',
  'constructor',
];

/** A random value the transcoder can encode (and, with `bad`, sometimes one it cannot). */
function randomValue(random: () => number, depth: number, bad: boolean): unknown {
  const pick = (n: number) => Math.floor(random() * n);
  const kinds = depth > 3 ? 6 : 12;
  switch (pick(kinds + (bad ? 1 : 0))) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -0, 1, -1, 1.5, 1e21, 2 ** 53, -1e-7, 123456789012345][pick(9)];
    case 3:
    case 4:
      return STRINGS[pick(STRINGS.length)];
    case 5:
      return new Date(
        Date.UTC(2000 + pick(30), pick(12), 1 + pick(28), pick(24), 0, 0, pick(1000)),
      );
    case 6: {
      const n = pick(5);
      const array: unknown[] = [];
      for (let i = 0; i < n; i++)
        array.push(random() < 0.1 ? undefined : randomValue(random, depth + 1, bad));
      return array;
    }
    case 7:
    case 8: {
      const obj: Record<string, unknown> = random() < 0.1 ? Object.create(null) : {};
      const n = pick(5);
      for (let i = 0; i < n; i++) {
        const key = STRINGS[pick(STRINGS.length)]!;
        Object.defineProperty(obj, key, {
          value: random() < 0.1 ? undefined : randomValue(random, depth + 1, bad),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return obj;
    }
    case 9:
      return new Map([[STRINGS[pick(STRINGS.length)], randomValue(random, depth + 1, bad)]]);
    case 10:
      return BigInt(pick(1000)) * 10n ** 20n;
    case 11:
      return new Uint8Array([pick(256), pick(256), 0]);
    default:
      return [Number.NaN, Number.POSITIVE_INFINITY, () => 1, Symbol('s'), new (class Odd {})()][
        pick(5)
      ];
  }
}

/** What a call gives: its result, or its error's class and message. */
function outcome<T>(fn: () => T): { value: T } | { error: string } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

const fast = new JSONTranscoder({ fastPaths: true });
const plain = new JSONTranscoder({ fastPaths: false });

describe('fast paths against the plain path', () => {
  it('each constructor takes the switch, and the environment sets the default', () => {
    assert.equal(fast.fastPaths, true);
    assert.equal(plain.fastPaths, false);
    assert.equal(typeof fast.decodeFields, 'function');
    assert.equal(plain.decodeFields, undefined);
    assert.equal(plain.encodeFields, undefined);
    const saved = process.env.EVENTSOURCING_FAST_PATHS;
    try {
      process.env.EVENTSOURCING_FAST_PATHS = 'no';
      assert.equal(fastPathsByDefault(), false);
      assert.equal(new JSONTranscoder().fastPaths, false);
      assert.equal(new Mapper({ transcoder: fast }).fastPaths, false);
      process.env.EVENTSOURCING_FAST_PATHS = 'maybe';
      assert.throws(
        () => new JSONTranscoder(),
        /EVENTSOURCING_FAST_PATHS: Invalid truth value "maybe"/,
      );
    } finally {
      if (saved === undefined) delete process.env.EVENTSOURCING_FAST_PATHS;
      else process.env.EVENTSOURCING_FAST_PATHS = saved;
    }
  });

  it('the transcoder writes the same bytes, reads the same values, and fails the same way', () => {
    const seed = Date.now() ^ 0x2545f491;
    const random = generator(seed);
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(random, 0, i % 4 === 0);
      const written = outcome(() => fast.encode(value));
      assert.deepEqual(
        written,
        outcome(() => plain.encode(value)),
        `seed ${seed} #${i}`,
      );
      if (!('value' in written)) continue;
      const read = outcome(() => fast.decode(written.value));
      assert.deepStrictEqual(
        read,
        outcome(() => plain.decode(written.value)),
        `seed ${seed} #${i}`,
      );
    }
  });

  it('the transcoder reads texts it did not write (spaces, escapes, control characters) the same way', () => {
    for (const text of [
      '{"a": 1}',
      '{"a":"\\u00e9"}',
      '{"a":"\u0001"}',
      '{"_type_":"datetime_iso","_data_":"2024-01-02T03:04:05.678000+00:00"}',
      '{"_type_":"datetime_iso","_data_":"2024-01-02T03:04:05\u0001678000+00:00"}',
      '{"_type_":"nope","_data_":1}',
      '[1,2,',
      '{"__proto__":{"x":1}}',
    ]) {
      const data = new Uint8Array(Buffer.from(text));
      assert.deepStrictEqual(
        outcome(() => fast.decode(data)),
        outcome(() => plain.decode(data)),
        text,
      );
    }
  });

  it('the mapper writes the same stored events and reads equal, frozen events', () => {
    class Planted {
      declare readonly originatorId: string;
      declare readonly originatorVersion: number;
      declare readonly timestamp: Date;
      declare readonly originatorTopic: string;
      declare readonly fields: unknown;
    }
    registerTopic('fast-paths:Planted', Planted);
    class Grown {
      declare readonly originatorId: string;
      declare readonly originatorVersion: number;
      static readonly classVersion = 2;
      static upcastV1V2(state: Record<string, unknown>): void {
        state.height = 0;
      }
    }
    registerTopic('fast-paths:Grown', Grown);
    const mappers = [true, false].map(
      (fastPaths) => new Mapper({ transcoder: new JSONTranscoder({ fastPaths }), fastPaths }),
    );
    const seed = Date.now() ^ 0x68e31da4;
    const random = generator(seed);
    for (let i = 0; i < 1000; i++) {
      const cls = i % 3 === 0 ? Grown : Planted;
      const event = Object.assign(Object.create(cls.prototype) as object, {
        originatorId: ID,
        originatorVersion: i + 1,
        timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, i)),
        ...(i % 2 === 0 ? { originatorTopic: 'fast-paths:Tree' } : {}),
        fields: randomValue(random, 1, false),
        ...(i % 7 === 0 ? { originator_topic: 'stored name' } : {}),
        ...(i % 11 === 0 && cls === Grown ? { class_version: 1 } : {}),
      });
      const [a, b] = mappers.map((mapper) => outcome(() => mapper.toStoredEvent(event as never)));
      assert.deepStrictEqual(a, b, `seed ${seed} #${i}`);
      if (!('value' in a!)) continue;
      const read = mappers.map((mapper) => outcome(() => mapper.toDomainEvent(a.value)));
      assert.deepStrictEqual(read[0], read[1], `seed ${seed} #${i}`);
      if ('value' in read[0]!) {
        const decoded = read[0].value as object;
        assert.ok(Object.isFrozen(decoded), 'frozen');
        assert.ok(decoded instanceof cls, 'of its class');
      }
      // Old state, upcast on the plain path by both.
      if (cls === Grown) {
        const old = { ...a.value, state: new Uint8Array(Buffer.from('{"x":1}')) };
        assert.deepStrictEqual(
          ...(mappers.map((mapper) => outcome(() => mapper.toDomainEvent(old))) as [
            unknown,
            unknown,
          ]),
        );
      }
    }
  });

  it('an in-memory event kept as written reads as its stored bytes decode', async () => {
    class Kept {
      declare readonly originatorId: string;
      declare readonly originatorVersion: number;
    }
    registerTopic('fast-paths:Kept', Kept);
    const mapper = new Mapper({ transcoder: new JSONTranscoder({ fastPaths: true }) });
    const plainMapper = new Mapper({
      transcoder: new JSONTranscoder({ fastPaths: false }),
      fastPaths: false,
    });
    const recorder = new MemoryAggregateRecorder();
    const seed = Date.now() ^ 0x1b873593;
    const random = generator(seed);
    let kept = 0;
    for (let i = 0; i < 1000; i++) {
      const event = Object.assign(Object.create(Kept.prototype) as object, {
        originatorId: ID,
        originatorVersion: i + 1,
        timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, i)),
        a: randomValue(random, 1, false),
        b: randomValue(random, 2, false),
        c: i % 5 === 0 ? undefined : -0,
      });
      await recorder.insertEvents([mapper.toStoredEvent(event as never)]);
      const [stored] = await recorder.selectEvents(ID, { gt: i, limit: 1 });
      if (typeof keptSlot(stored!)?.make === 'function') kept++;
      const read = outcome(() => mapper.toDomainEvent(stored!));
      assert.deepStrictEqual(
        read,
        outcome(() => plainMapper.toDomainEvent(stored!)),
        `seed ${seed} #${i}`,
      );
      if ('value' in read) assert.ok(Object.isFrozen(read.value));
    }
    // Most generated events hold only JSON values and Dates, and are kept as written.
    assert.ok(kept > 300, `${kept} kept`);
  });

  it("the transcoder's, mapper's and event store's suites pass with the fast paths off", () => {
    const files = ['json-transcoder.test.ts', 'mapper.test.ts', 'event-store.test.ts'].map((name) =>
      fileURLToPath(new URL(name, import.meta.url)),
    );
    // Without the parent runner's context, so that the child reports as a run of its own.
    const env: NodeJS.ProcessEnv = { ...process.env, EVENTSOURCING_FAST_PATHS: 'no' };
    delete env.NODE_TEST_CONTEXT;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /# fail 0/);
  });
});
