// A differential fuzz of the compact JSON reader against JSON.parse: for random and adversarial
// texts, the reader either gives up (and the caller uses JSON.parse) or returns exactly what
// JSON.parse (with the same revival) returns; it never accepts what JSON.parse rejects. The
// transcoder, which falls back to JSON.parse, must then give the same value or the same failure.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { readCompactFields, readCompactJSON } from '../../src/persistence/fast/compact-json.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';

const tagged = (name: string, data: unknown): unknown => ({ revived: name, data });

/** JSON.parse with the reader's revival, or the error it throws. */
function reference(text: string): { value: unknown } | { error: unknown } {
  try {
    return {
      value: JSON.parse(text, (_key, value: unknown) => {
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          const obj = value as Record<string, unknown>;
          const keys = Object.keys(obj);
          if (keys.length === 2 && '_type_' in obj && '_data_' in obj) {
            return tagged(obj._type_ as string, obj._data_);
          }
        }
        return value;
      }),
    };
  } catch (error) {
    return { error };
  }
}

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

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i));
const PIECES = [
  ...CONTROL,
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  '-',
  '.',
  'e',
  'E',
  '+',
  '0',
  '1',
  '9',
  'true',
  'false',
  'null',
  'tru',
  'nul',
  '__proto__',
  '"__proto__":',
  '"_type_":',
  '"_data_":',
  '{"_type_":"x","_data_":',
  '\u2028',
  '\u00e9',
  '😀',
  '😀'.slice(0, 1),
  '\u007f',
  '\ufeff',
];

function randomText(random: () => number, depth = 0): string {
  const pick = Math.floor(random() * (depth > 4 ? 5 : 8));
  const str = (): string => {
    let s = '';
    const n = Math.floor(random() * 6);
    for (let i = 0; i < n; i++) {
      s +=
        random() < 0.15
          ? CONTROL[Math.floor(random() * 32)]
          : 'abcxyz é😀'[Math.floor(random() * 10)];
    }
    return `"${s}"`;
  };
  switch (pick) {
    case 0:
      return str();
    case 1:
      return String(Math.floor((random() - 0.5) * 10 ** Math.floor(random() * 20)));
    case 2:
      return String((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20));
    case 3:
      return ['true', 'false', 'null'][Math.floor(random() * 3)]!;
    case 4:
      return `"${'x'.repeat(Math.floor(random() * 20))}"`;
    case 5: {
      const n = Math.floor(random() * 4);
      return `[${Array.from({ length: n }, () => randomText(random, depth + 1)).join(',')}]`;
    }
    case 6:
      return `{"_type_":${str()},"_data_":${randomText(random, depth + 1)}}`;
    default: {
      const n = Math.floor(random() * 4);
      const fields = Array.from({ length: n }, () => `${str()}:${randomText(random, depth + 1)}`);
      return `{${fields.join(',')}}`;
    }
  }
}

/** The text with a few random insertions, deletions and replacements. */
function mutate(text: string, random: () => number): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (result.length + 1));
    const piece = PIECES[Math.floor(random() * PIECES.length)]!;
    const kind = random();
    if (kind < 0.5) result = result.slice(0, at) + piece + result.slice(at);
    else if (kind < 0.8) result = result.slice(0, at) + piece + result.slice(at + 1);
    else result = result.slice(0, at) + result.slice(at + 1 + Math.floor(random() * 3));
  }
  return result;
}

function checkOne(text: string, label: string): void {
  const expected = reference(text);
  // The reader's contract: give up on escapes (the transcoder never hands it a backslash).
  if (text.includes('\\')) return;
  const value = readCompactJSON(text, tagged);
  if (value !== undefined) {
    assert.ok(
      'value' in expected,
      `${label}: reader accepted what JSON.parse rejects: ${JSON.stringify(text)}`,
    );
    assert.deepEqual(value, expected.value, `${label}: ${JSON.stringify(text)}`);
  }
  const target: Record<string, unknown> = {};
  if (readCompactFields(text, tagged, null, target, (key) => key)) {
    assert.ok(
      'value' in expected,
      `${label}: field reader accepted what JSON.parse rejects: ${JSON.stringify(text)}`,
    );
    assert.deepEqual(target, expected.value, `${label} (fields): ${JSON.stringify(text)}`);
  }
}

describe('compact JSON reader against JSON.parse', () => {
  it('agrees on random compact JSON, with control characters in strings', () => {
    const seed = Date.now();
    const random = generator(seed);
    for (let i = 0; i < 5000; i++) checkOne(randomText(random), `seed ${seed} #${i}`);
  });

  it('never accepts a mutated text that JSON.parse rejects, and otherwise reads the same', () => {
    const seed = Date.now() ^ 0x5bd1e995;
    const random = generator(seed);
    for (let i = 0; i < 20000; i++) {
      checkOne(mutate(randomText(random), random), `seed ${seed} #${i}`);
    }
  });

  it('rejects every raw control character inside strings, keys, transcoding names and data', () => {
    // A string reviver must throw for a string it would not accept (ReviveString's contract):
    // the reader does not check the strings it hands over, and gives up when one throws.
    const checkingReviver = (_name: string, text: string, start: number, end: number) => {
      for (let i = start; i < end; i++) {
        if (text.charCodeAt(i) < 32) throw new SyntaxError('control');
      }
      return 'string';
    };
    for (const c of CONTROL) {
      for (const text of [
        `"a${c}b"`,
        `{"a":"x${c}"}`,
        `{"k${c}":1}`,
        `["ok","${c}"]`,
        `{"_type_":"dt${c}","_data_":"x"}`,
        `{"_type_":"dt","_data_":"2024${c}"}`,
        `{"a":1${c}}`,
        `${c}{"a":1}`,
      ]) {
        assert.equal(
          readCompactJSON(text, tagged, checkingReviver),
          undefined,
          JSON.stringify(text),
        );
        assert.equal(
          readCompactFields(text, tagged, checkingReviver, {}, (key) => key),
          false,
          JSON.stringify(text),
        );
        checkOne(text, 'control');
      }
    }
  });

  it('the transcoder gives the same value as JSON.parse, or fails as JSON.parse fails', () => {
    const transcoder = new JSONTranscoder();
    const seed = Date.now() ^ 0x1234567;
    const random = generator(seed);
    for (let i = 0; i < 5000; i++) {
      let text = randomText(random);
      if (random() < 0.5) text = mutate(text, random);
      // Transcoded values need registered transcodings: compare plain JSON only.
      if (text.includes('_type_')) continue;
      const expected = reference(text);
      const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
      // UTF-8 turns a lone surrogate into U+FFFD; compare with what the bytes hold.
      const stored = reference(Buffer.from(bytes).toString('utf8'));
      let actual: { value: unknown } | { error: unknown };
      try {
        actual = { value: transcoder.decode(bytes) };
      } catch (error) {
        actual = { error };
      }
      const label = `seed ${seed} #${i}: ${JSON.stringify(text)}`;
      assert.equal('value' in actual, 'value' in stored, label);
      if ('value' in actual && 'value' in stored)
        assert.deepEqual(actual.value, stored.value, label);
      if (!text.includes('😀'.slice(0, 1))) assert.equal('value' in expected, 'value' in stored);
    }
  });
});
