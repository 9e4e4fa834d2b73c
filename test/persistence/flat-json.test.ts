import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { readFlatMembers } from '../../src/persistence/flat-json.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** What the flat reader makes of a whole object text, or undefined where it declines. */
function readFlat(text: string): Record<string, unknown> | undefined {
  const target: Record<string, unknown> = {};
  return readFlatMembers(text, 1, target, true) ? target : undefined;
}

describe('readFlatMembers', () => {
  it('reads flat objects exactly as JSON.parse does, keys in the same order', () => {
    const texts = [
      '{}',
      '{"a":"x"}',
      '{"a":"","b":"é ☃ 🐕","c":1,"d":-0,"e":0.5,"f":-12.25e3,"g":1E-7,"h":2e+2}',
      '{"t":true,"f":false,"n":null}',
      '{"a":1,"a":2,"b":3}',
      '{"":"empty key","x y":"spaced key"}',
      '{"big":12345678901234567890,"small":5e-324}',
    ];
    for (const text of texts) {
      const flat = readFlat(text);
      assert.ok(flat !== undefined, text);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(flat, parsed, text);
      assert.deepEqual(Object.keys(flat), Object.keys(parsed), text);
      assert.ok(Object.is(flat.d, parsed.d), 'keeps negative zero');
    }
  });

  it('reads random flat objects as JSON.parse does', () => {
    const values = (): unknown => {
      const pick = Math.floor(Math.random() * 6);
      if (pick === 0) return Math.random().toString(36).slice(2);
      if (pick === 1) return (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20);
      if (pick === 2) return Math.floor(Math.random() * 1e6);
      if (pick === 3) return Math.random() < 0.5;
      if (pick === 4) return null;
      return `dog ${Math.random()} ⚡`;
    };
    for (let i = 0; i < 500; i++) {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(Math.random() * 6);
      for (let k = 0; k < n; k++) obj[`k${k}_${Math.random().toString(36).slice(2, 5)}`] = values();
      const text = JSON.stringify(obj);
      assert.deepEqual(readFlat(text), JSON.parse(text), text);
    }
  });

  it('declines what needs JSON.parse or the revive walk, and invalid JSON', () => {
    for (const text of [
      '{"a":{"b":1}}',
      '{"a":[1]}',
      '{ "a":1}',
      '{"a": 1}',
      '{"a":1 }',
      '{"__proto__":"x"}',
      '{"_type_":"datetime_iso","_data_":"2026-11-22T15:00:00.000000+00:00"}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":-}',
      '{"a":1e}',
      '{"a":+1}',
      '{"a":tru}',
      '{"a":undefined}',
      '{"a":"x"',
      '{"a":"x"}}',
      '{"a":"x"} ',
      '{"a":"x",}',
      '{,"a":"x"}',
      '{"a"}',
      '{"a":"unterminated}',
      "{'a':1}",
    ]) {
      assert.equal(readFlat(text), undefined, text);
    }
  });
});

describe('JSONTranscoder.decode of flat event state', () => {
  const t = new JSONTranscoder();

  it("reads the mapper's timestamp-first state with a Date and the other fields in order", () => {
    const text =
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"},' +
      '"originator_topic":"Dog","name":"Fido","age":3}';
    const state = t.decode(bytes(text)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(state), ['timestamp', 'originator_topic', 'name', 'age']);
    assert.ok(state.timestamp instanceof Date);
    assert.equal(state.timestamp.toISOString(), '2026-11-22T15:41:18.940Z');
    assert.deepEqual(
      { ...state, timestamp: null },
      {
        timestamp: null,
        originator_topic: 'Dog',
        name: 'Fido',
        age: 3,
      },
    );
  });

  it('gives the same result as the general path for states it does not take', () => {
    // The fourth puts a quote and a brace where a 32-character timestamp would end.
    const texts = [
      // Python writes no fraction when the microseconds are zero.
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18+00:00"},"a":"b"}',
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"},"a":[1]}',
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"},"a":"\\"q\\""}',
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18Z"},"p":"abcd"}',
      '{"a":"x","timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"}}',
    ];
    for (const text of texts) {
      const state = t.decode(bytes(text)) as Record<string, unknown>;
      const expected = JSON.parse(text) as Record<string, unknown>;
      const wrapper = expected.timestamp as { _data_: string };
      assert.ok(state.timestamp instanceof Date, text);
      assert.equal(state.timestamp.getTime(), new Date(wrapper._data_).getTime(), text);
      assert.deepEqual(Object.keys(state), Object.keys(expected), text);
    }
  });

  it('uses a replaced datetime_iso transcoding on the flat path too', () => {
    const custom = new JSONTranscoder();
    custom.register({ type: null, name: 'datetime_iso', encode: String, decode: (d) => `<${d}>` });
    const text =
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"},"a":1}';
    assert.deepEqual(custom.decode(bytes(text)), {
      timestamp: '<2026-11-22T15:41:18.940123+00:00>',
      a: 1,
    });
  });

  it('still rejects invalid JSON', () => {
    for (const text of ['{"a":01}', '{"a":"x",}', '{"timestamp":{"_type_":"datetime_iso"']) {
      assert.throws(() => t.decode(bytes(text)), SyntaxError, text);
    }
  });
});
