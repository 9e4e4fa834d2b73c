import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { DataError, TranscodingNotRegisteredError } from '../../src/persistence/errors.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';
import type { Transcoding } from '../../src/persistence/transcoding.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class PointAsList implements Transcoding<Point> {
  readonly type = Point;
  readonly name = 'point';
  encode(p: Point): number[] {
    return [p.x, p.y];
  }
  decode(data: unknown): Point {
    const [x, y] = data as [number, number];
    return new Point(x, y);
  }
}

describe('JSONTranscoder', () => {
  it('writes JSON values as compact UTF-8 JSON, omitting undefined fields', () => {
    const t = new JSONTranscoder();
    const encoded = t.encode({ a: 1, b: 'é', c: [true, null, 2.5], d: undefined, e: { f: [] } });
    assert.ok(encoded instanceof Uint8Array);
    assert.equal(text(encoded), '{"a":1,"b":"é","c":[true,null,2.5],"e":{"f":[]}}');
    assert.deepEqual(t.decode(encoded), { a: 1, b: 'é', c: [true, null, 2.5], e: { f: [] } });
  });

  it('writes undefined array items as null', () => {
    assert.equal(text(new JSONTranscoder().encode([1, undefined, 3])), '[1,null,3]');
  });

  it('writes a Date exactly as Python writes datetime_iso', () => {
    const t = new JSONTranscoder();
    const state = {
      timestamp: new Date('2024-02-07T15:32:51.123Z'),
      originator_topic: 'dogs:Dog',
      name: 'Fido',
    };
    assert.equal(
      text(t.encode(state)),
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123000+00:00"},' +
        '"originator_topic":"dogs:Dog","name":"Fido"}',
    );
  });

  it("reads Python's microsecond datetimes, truncated to milliseconds", () => {
    const t = new JSONTranscoder();
    const decoded = t.decode(
      bytes(
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123456+00:00"},' +
          '"originator_topic":"dogs:Dog","name":"Fido"}',
      ),
    ) as { timestamp: Date };
    assert.ok(decoded.timestamp instanceof Date);
    assert.equal(decoded.timestamp.toISOString(), '2024-02-07T15:32:51.123Z');
    const noFraction = t.decode(
      bytes('{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51+01:00"}'),
    );
    assert.equal((noFraction as Date).toISOString(), '2024-02-07T14:32:51.000Z');
  });

  it("reads Python's uuid_hex as a canonical UUID string and decimal_str as a string", () => {
    const t = new JSONTranscoder();
    assert.deepEqual(
      t.decode(
        bytes(
          '{"id":{"_type_":"uuid_hex","_data_":"0E3A1D2B4C5D4E6F8A9B0C1D2E3F4A5B"},' +
            '"amount":{"_type_":"decimal_str","_data_":"10.10"}}',
        ),
      ),
      { id: '0e3a1d2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b', amount: '10.10' },
    );
  });

  it('round-trips every built-in type nested in arrays, objects, maps and sets', () => {
    const t = new JSONTranscoder();
    const date = new Date('2001-02-03T04:05:06.789Z');
    const value = {
      date,
      big: 12345678901234567890n,
      negBig: -5n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      buffer: Buffer.from('hi'),
      list: [date, 1n, new Set(['a', date]), [new Map([['k', [date]]])]],
      map: new Map<unknown, unknown>([
        ['date', date],
        [1, new Map([['inner', new Set([2n])]])],
        [date, { deep: [new Uint8Array([7])] }],
      ]),
      set: new Set([1, 'two', null]),
      nested: { a: { b: { c: date } } },
      empty: new Map(),
    };
    const decoded = t.decode(t.encode(value)) as Record<string, unknown>;
    assert.deepStrictEqual(decoded, {
      ...value,
      // Buffers come back as plain Uint8Arrays.
      buffer: new Uint8Array(Buffer.from('hi')),
    });
    assert.ok(decoded.date instanceof Date);
    assert.equal(Object.getPrototypeOf(decoded.buffer), Uint8Array.prototype);
  });

  it('does not change the object it encodes', () => {
    const t = new JSONTranscoder();
    const date = new Date(0);
    const value = { a: [date], b: { c: date } };
    t.encode(value);
    assert.equal(value.a[0], date);
    assert.equal(value.b.c, date);
  });

  it('only unwraps objects with exactly the keys _type_ and _data_', () => {
    const t = new JSONTranscoder();
    const data =
      '{"x":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00+00:00","other":1},"y":{"_type_":"map"}}';
    assert.deepEqual(t.decode(bytes(data)), JSON.parse(data));
  });

  it('keeps a string that contains "_type_" as it is', () => {
    const t = new JSONTranscoder();
    const value = { s: '{"_type_":"nope","_data_":1}' };
    assert.deepEqual(t.decode(t.encode(value)), value);
  });

  it('does not let a __proto__ key change prototypes', () => {
    const t = new JSONTranscoder();
    const decoded = t.decode(
      bytes('{"__proto__":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00+00:00"}}'),
    ) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.ok(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value instanceof Date);
  });

  it('accepts null-prototype objects', () => {
    const obj = Object.create(null) as Record<string, unknown>;
    obj.a = new Date(0);
    const t = new JSONTranscoder();
    assert.deepEqual(t.decode(t.encode(obj)), { a: new Date(0) });
  });

  it('rejects an unregistered class instance, naming the type and the path', () => {
    const t = new JSONTranscoder();
    assert.throws(
      () => t.encode({ shape: { at: [1, new Point(1, 2)] } }),
      (error: unknown) => {
        assert.ok(error instanceof TranscodingNotRegisteredError);
        assert.match(
          error.message,
          /Object of type Point is not serializable \(at \$\.shape\.at\[1\]\)/,
        );
        assert.match(error.message, /register/);
        return true;
      },
    );
  });

  it('rejects a class instance even when it has toJSON', () => {
    class WithToJSON {
      toJSON() {
        return 'x';
      }
    }
    assert.throws(
      () => new JSONTranscoder().encode({ v: new WithToJSON() }),
      TranscodingNotRegisteredError,
    );
  });

  it('rejects symbols, functions, undefined, boxed primitives and unregistered typed arrays', () => {
    const t = new JSONTranscoder();
    for (const bad of [Symbol('s'), () => 1, new String('s'), new Float64Array(1)]) {
      assert.throws(() => t.encode({ bad }), TranscodingNotRegisteredError);
    }
    assert.throws(() => t.encode(undefined), /Object of type undefined is not serializable/);
    assert.throws(
      () => t.encode([Symbol('s')]),
      /Object of type symbol is not serializable \(at \$\[0\]\)/,
    );
    assert.throws(
      () => t.encode({ f() {} }),
      /Object of type function is not serializable \(at \$\.f\)/,
    );
  });

  it('names the path inside a transcoded value', () => {
    const t = new JSONTranscoder();
    assert.throws(
      () => t.encode({ m: new Map([['k', new Point(0, 0)]]) }),
      /Object of type Point is not serializable \(at \$\.m\.<map>\[0\]\[1\]\)/,
    );
  });

  it('rejects NaN and infinities with a DataError naming the field', () => {
    const t = new JSONTranscoder();
    assert.throws(
      () => t.encode({ score: Number.NaN }),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.match(error.message, /NaN \(at \$\.score\)/);
        return true;
      },
    );
    assert.throws(() => t.encode([Number.POSITIVE_INFINITY]), DataError);
    assert.throws(
      () => t.encode({ a: { b: Number.NEGATIVE_INFINITY } }),
      /-Infinity \(at \$\.a\.b\)/,
    );
  });

  it('rejects cycles with a DataError instead of overflowing the stack', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    assert.throws(() => new JSONTranscoder().encode(a), /refers to itself/);
  });

  it('rejects invalid dates', () => {
    assert.throws(() => new JSONTranscoder().encode({ d: new Date(Number.NaN) }), /invalid Date/);
  });

  it('rejects an unknown _type_ on read with TranscodingNotRegisteredError', () => {
    const t = new JSONTranscoder();
    assert.throws(
      () => t.decode(bytes('{"a":{"_type_":"point","_data_":[1,2]}}')),
      (error: unknown) => {
        assert.ok(error instanceof TranscodingNotRegisteredError);
        assert.match(error.message, /Data serialized with name "point" is not deserializable/);
        return true;
      },
    );
  });

  it('rejects malformed data for a built-in transcoding', () => {
    const t = new JSONTranscoder();
    assert.throws(
      () => t.decode(bytes('{"_type_":"datetime_iso","_data_":"yesterday"}')),
      RangeError,
    );
    assert.throws(() => t.decode(bytes('{"_type_":"bigint_str","_data_":"1.5"}')), TypeError);
    assert.throws(() => t.decode(bytes('{"_type_":"map","_data_":[[1]]}')), TypeError);
    assert.throws(() => t.decode(bytes('{"_type_":"uuid_hex","_data_":"xyz"}')), TypeError);
    assert.throws(() => t.decode(bytes('{not json')), SyntaxError);
  });

  it('encodes and decodes a registered custom transcoding, nested', () => {
    const t = new JSONTranscoder();
    t.register(new PointAsList());
    const value = {
      path: [new Point(1, 2), new Point(3, 4)],
      at: new Map([['origin', new Point(0, 0)]]),
    };
    const encoded = t.encode(value);
    assert.equal(
      text(encoded),
      '{"path":[{"_type_":"point","_data_":[1,2]},{"_type_":"point","_data_":[3,4]}],' +
        '"at":{"_type_":"map","_data_":[["origin",{"_type_":"point","_data_":[0,0]}]]}}',
    );
    const decoded = t.decode(encoded) as typeof value;
    assert.deepStrictEqual(decoded, value);
    assert.ok(decoded.path[0] instanceof Point);
  });

  it('matches transcodings by exact constructor', () => {
    class Point3 extends Point {}
    const t = new JSONTranscoder();
    t.register(new PointAsList());
    assert.throws(() => t.encode(new Point3(1, 2)), /Object of type Point3/);
  });

  it('rejects a malformed transcoding', () => {
    const t = new JSONTranscoder();
    assert.throws(
      () => t.register({ type: Point, name: '', encode: () => 1, decode: () => new Point(0, 0) }),
      TypeError,
    );
    assert.throws(() => t.register({ name: 'x' } as unknown as Transcoding<Point>), TypeError);
  });

  it('decodes bytes that are a view into a larger buffer', () => {
    const t = new JSONTranscoder();
    const whole = Buffer.from('xx{"a":1}yy');
    assert.deepEqual(t.decode(new Uint8Array(whole.buffer, whole.byteOffset + 2, 7)), { a: 1 });
  });

  it('decodes event states whose only transcoded value is the leading timestamp, and others', () => {
    const t = new JSONTranscoder();
    const ts = '{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123000+00:00"}';
    const simple = t.decode(Buffer.from(`{"timestamp":${ts},"trick":"sit"}`)) as Record<
      string,
      unknown
    >;
    assert.ok(simple.timestamp instanceof Date);
    assert.equal((simple.timestamp as Date).toISOString(), '2024-02-07T15:32:51.123Z');
    assert.equal(simple.trick, 'sit');
    // Another transcoded value after the timestamp: everything is revived.
    const more = t.decode(
      Buffer.from(`{"timestamp":${ts},"when":${ts},"seen":{"_type_":"set","_data_":[1]}}`),
    ) as Record<string, unknown>;
    assert.ok(more.timestamp instanceof Date);
    assert.ok(more.when instanceof Date);
    assert.deepEqual(more.seen, new Set([1]));
    // A repeated key: JSON.parse keeps the last, which is what must be decoded.
    const repeated = t.decode(Buffer.from(`{"timestamp":${ts},"timestamp":"plain"}`)) as Record<
      string,
      unknown
    >;
    assert.equal(repeated.timestamp, 'plain');
    // A wrapper with a third key is not a wrapper.
    const notWrapper = t.decode(
      Buffer.from(
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123000+00:00","x":1}}',
      ),
    ) as Record<string, Record<string, unknown>>;
    assert.equal(notWrapper.timestamp?.x, 1);
    // A replacement transcoding registered under the same name is used.
    t.register<Date>({
      type: Date,
      name: 'datetime_iso',
      encode: (d) => d.getTime(),
      decode: () => new Date(0),
    });
    const replaced = t.decode(Buffer.from(`{"timestamp":${ts}}`)) as Record<string, Date>;
    assert.equal(replaced.timestamp?.getTime(), 0);
  });

  it('writes exactly what JSON.stringify writes for JSON values, escapes and all', () => {
    const t = new JSONTranscoder();
    const strings = [
      '',
      'plain',
      'quote " and backslash \\',
      'tab\tnew line\ncontrol \u0001 \u001f del \u007f',
      'é ☃ 🐕 \u2028 \u2029',
      'lone \ud800 high, lone \udfff low, pair \ud83d\udc15',
      'x'.repeat(100),
      `${'y'.repeat(70)}"${'z'.repeat(10)}`,
      '</script>',
    ];
    const values: unknown[] = [
      ...strings,
      0,
      -0,
      1.5,
      -1e-7,
      1e21,
      5e-324,
      Number.MAX_SAFE_INTEGER,
      true,
      false,
      null,
      [],
      {},
      [1, undefined, 'a', [null, {}]],
      { a: undefined, b: 1, 'key "quoted"': 2, '': 3, é: [4], 10: 'ten', 2: 'two' },
      Object.fromEntries(strings.map((key, i) => [key, i])),
      JSON.parse('{"__proto__":{"x":1},"y":2}'),
      { nested: { deeper: { deepest: [strings, { s: strings[3] }] } } },
    ];
    for (const value of values) {
      assert.equal(text(t.encode(value)), JSON.stringify(value), JSON.stringify(value));
    }
    const dated = { at: new Date('2024-02-07T15:32:51.123Z'), list: [new Date(0)] };
    assert.equal(
      text(t.encode(dated)),
      '{"at":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123000+00:00"},' +
        '"list":[{"_type_":"datetime_iso","_data_":"1970-01-01T00:00:00.000000+00:00"}]}',
    );
  });

  it('decodes fields straight into a target, and declines what is not an object', {
    skip: new JSONTranscoder().fastPaths ? false : 'a fast path, off in this run',
  }, () => {
    const t = new JSONTranscoder();
    const target: Record<string, unknown> = {};
    const keep = (key: string): string | null => (key === 'drop' ? null : key.toUpperCase());
    const state =
      '{"at":{"_type_":"datetime_iso","_data_":"2024-02-07T15:32:51.123456+00:00"},' +
      '"drop":1,"tags":{"_type_":"set","_data_":["a"]}}';
    assert.equal(t.decodeFields!(bytes(state), target, keep), true);
    assert.deepEqual(Object.keys(target), ['AT', 'TAGS']);
    assert.equal((target.AT as Date).toISOString(), '2024-02-07T15:32:51.123Z');
    assert.deepEqual(target.TAGS, new Set(['a']));
    // Escapes, whitespace and non-objects are left to decode().
    for (const other of ['{"a":"\\n"}', '{ "a":1}', '[1]', '"x"']) {
      assert.equal(t.decodeFields!(bytes(other), {}, keep), false, other);
    }
  });
});
