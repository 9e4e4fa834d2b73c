import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TranscodingNotRegisteredError } from '../../src/persistence/errors.js';
import {
  readCompactFields,
  readCompactJSON,
  type ShapeMemo,
} from '../../src/persistence/fast/compact-json.js';
import { JSONTranscoder } from '../../src/persistence/json-transcoder.js';

/** Whether this process may not generate code (the child run of the last test). */
const NO_CODE_GENERATION = process.execArgv.includes('--disallow-code-generation-from-strings');

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const tagged = (name: string, data: unknown): unknown => ({ revived: name, data });
const read = (text: string): unknown => readCompactJSON(text, tagged);

/** JSON.parse, then the same revival, as the general path does it. */
function reference(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const obj = value as Record<string, unknown>;
      if (keys.length === 2 && '_type_' in obj && '_data_' in obj) {
        return tagged(obj._type_ as string, obj._data_);
      }
    }
    return value;
  });
}

function randomValue(depth: number): unknown {
  const pick = Math.floor(Math.random() * (depth > 3 ? 6 : 9));
  if (pick === 0)
    return Math.random()
      .toString(36)
      .slice(2, 2 + Math.floor(Math.random() * 14));
  if (pick === 1) return (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20);
  if (pick === 2) return Math.floor((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20));
  if (pick === 3) return Math.random() < 0.5;
  if (pick === 4) return null;
  if (pick === 5) return `dog ${Math.random()} ⚡ 🐕`;
  if (pick === 6)
    return Array.from({ length: Math.floor(Math.random() * 5) }, () => randomValue(depth + 1));
  if (pick === 7) return { _type_: 'point', _data_: randomValue(depth + 1) };
  const obj: Record<string, unknown> = {};
  const n = Math.floor(Math.random() * 5);
  for (let k = 0; k < n; k++)
    obj[`k${k}${Math.random().toString(36).slice(2, 5)}`] = randomValue(depth + 1);
  return obj;
}

describe('readCompactJSON', () => {
  it('reads compact JSON as JSON.parse does, keys in the same order', () => {
    const texts = [
      '{}',
      '[]',
      '"x"',
      '0',
      '-0',
      '{"a":"x"}',
      '{"a":"","b":"é ☃ 🐕","c":1,"d":-0,"e":0.5,"f":-12.25e3,"g":1E-7,"h":2e+2}',
      '{"t":true,"f":false,"n":null,"l":[1,[2,[]],{"x":{}}]}',
      '{"a":1,"a":2,"b":3}',
      '{"":"empty key","x y":"spaced key"}',
      '[123456789012345,1234567890123456,12345678901234567890,-999999999999999,5e-324]',
      '[0.1,1.5e300,-1e-300,100,0,-1]',
    ];
    for (const text of texts) {
      const value = read(text);
      assert.deepEqual(value, JSON.parse(text), text);
      if (typeof value === 'object' && value !== null) {
        assert.deepEqual(Object.keys(value), Object.keys(JSON.parse(text)), text);
      }
    }
    assert.ok(Object.is((read('{"d":-0}') as { d: number }).d, -0), 'keeps negative zero');
  });

  it('reads random compact JSON as JSON.parse and a reviver do', () => {
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify(randomValue(0));
      if (text === undefined) continue;
      assert.deepEqual(read(text), reference(text), text);
    }
  });

  it('reads keys and transcoding names that extend or shorten the ones read before', () => {
    // The reader first tries the key last seen in the same place, and the last name.
    const texts = [
      '{"ab":1,"x":{"_type_":"dt","_data_":"a"}}',
      '{"abc":2,"x":{"_type_":"dtx","_data_":"b"}}',
      '{"ab":3,"x":{"_type_":"d","_data_":"c"}}',
      '{"a":4,"abc":5,"ab":6}',
      '{"":7,"ab":{"ab":{"abc":8}}}',
      '{"ab":9,"x":{"_type_":"","_data_":"d"}}',
    ];
    for (const text of texts) assert.deepEqual(read(text), reference(text), text);
  });

  it('revives transcoded values innermost first, in either key order', () => {
    assert.deepEqual(read('{"_type_":"outer","_data_":{"_type_":"inner","_data_":[1]}}'), {
      revived: 'outer',
      data: { revived: 'inner', data: [1] },
    });
    assert.deepEqual(read('{"_data_":2,"_type_":"late"}'), { revived: 'late', data: 2 });
    // With a third key it is a plain object.
    assert.deepEqual(read('{"_type_":"x","_data_":1,"more":true}'), {
      _type_: 'x',
      _data_: 1,
      more: true,
    });
  });

  it('gives up on what needs JSON.parse, and on invalid JSON', () => {
    for (const text of [
      '{ "a":1}',
      '{"a": 1}',
      '[1, 2]',
      '{"a":1}\n',
      '{"__proto__":"x"}',
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
      '{"a":"x",}',
      '[1,]',
      '{,"a":"x"}',
      '{"a"}',
      '{"a":"unterminated}',
      "{'a':1}",
      '',
      `${'['.repeat(600)}${']'.repeat(600)}`,
    ]) {
      assert.equal(read(text), undefined, text);
    }
  });
});

describe('readCompactJSON arrays', () => {
  it('reads long arrays of strings, and strings among other items, nested', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `trick-${i}`);
    const texts = [
      JSON.stringify(names),
      JSON.stringify({ name: 'big', tricks: names, after: ['x'] }),
      '["a",["b",["c",[]],"d"],{"e":["f","g"]},"h",1,"i",null,["j"]]',
      '[["a","b"],["c","d"]]',
      '["",""]',
      '[{"_type_":"p","_data_":["a","b"]},"c"]',
      // Longer than the stack of items a reader keeps between reads, then short again.
      JSON.stringify(Array.from({ length: 70_000 }, (_, i) => [`n${i}`])),
      JSON.stringify(names),
    ];
    for (const text of texts) assert.deepEqual(read(text), reference(text), text);
  });

  it('gives up on arrays it cannot read, and reads the next text normally', () => {
    for (const text of ['["a", "b"]', '["a","b"', '["a"x]', '["a",]', '["a","b]', '["a",[1, 2]]']) {
      assert.equal(read(text), undefined, text);
      assert.deepEqual(read('["x",["y"],"z"]'), ['x', ['y'], 'z'], `after ${text}`);
    }
  });

  it('lets an error from a reviver inside an array propagate, and reads normally afterwards', () => {
    const failing = (): unknown => {
      throw new Error('bad item');
    };
    assert.throws(
      () => readCompactJSON('["a",["b",{"_type_":"p","_data_":1}]]', failing),
      /bad item/,
    );
    assert.deepEqual(read('["x",["y"],"z"]'), ['x', ['y'], 'z']);
  });

  it('keeps nothing it read alive once the read is over, however the read ended', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const failing = (name: string): unknown => {
      if (name === 'fail') throw new Error('bad item');
      return { revived: name };
    };
    const refs: WeakRef<object>[] = [];
    const remember = (name: string, _data: unknown): unknown => {
      const item = { revived: name };
      refs.push(new WeakRef(item));
      return name === 'fail' ? failing(name) : item;
    };
    const item = (name: string): string => `{"_type_":"${name}","_data_":0}`;
    // Read in full, given up on (whitespace after the items), and ended by an error.
    readCompactJSON(`[${item('a')},["s",${item('b')}]]`, remember);
    readCompactJSON(`[${item('c')},[${item('d')}], 1]`, remember);
    assert.throws(() => readCompactJSON(`[${item('e')},[${item('f')},${item('fail')}]]`, remember));
    assert.equal(refs.length, 7);
    // A WeakRef keeps its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.deepEqual(
      refs.map((ref) => ref.deref()),
      refs.map(() => undefined),
    );
  });
});

describe('readCompactFields', () => {
  const rename = (key: string): string | null =>
    key === 'dropped' ? null : key === 'old_name' ? 'newName' : key;

  it('writes the fields into the target, renamed or left out, values read as readCompactJSON does', () => {
    const target: Record<string, unknown> = { first: 1 };
    const text =
      '{"a":"x","dropped":{"deep":[1,2]},"old_name":[true,null],"t":{"_type_":"p","_data_":3}}';
    assert.equal(readCompactFields(text, tagged, null, target, rename), true);
    assert.deepEqual(Object.keys(target), ['first', 'a', 'newName', 't']);
    assert.deepEqual(target, {
      first: 1,
      a: 'x',
      newName: [true, null],
      t: { revived: 'p', data: 3 },
    });
  });

  it('gives up on text that is not an object it reads, or is a transcoded value', () => {
    for (const text of [
      '[1]',
      '"x"',
      '{"a":1',
      '{"a":1} ',
      '{"__proto__":1}',
      '{"_type_":"p","_data_":1}',
      '{"_data_":1,"_type_":"p"}',
    ]) {
      assert.equal(readCompactFields(text, tagged, null, {}, rename), false, text);
    }
  });

  it('hands string data to reviveString where it stands, and other data to revive', () => {
    const seen: string[] = [];
    const reviveString = (name: string, text: string, start: number, end: number): unknown => {
      seen.push(`${name}:${text.slice(start, end)}`);
      return `string ${text.slice(start, end)}`;
    };
    const target: Record<string, unknown> = {};
    const text =
      '{"s":{"_type_":"a","_data_":"abc"},"n":{"_type_":"b","_data_":[1]},' +
      '"late":{"_data_":"xyz","_type_":"c"}}';
    assert.equal(readCompactFields(text, tagged, reviveString, target, rename), true);
    assert.deepEqual(seen, ['a:abc']);
    assert.deepEqual(target, {
      s: 'string abc',
      n: { revived: 'b', data: [1] },
      late: { revived: 'c', data: 'xyz' },
    });
  });

  it('reads correctly when a reviver starts another read (the shared reader is busy)', () => {
    const nested = (name: string, data: unknown): unknown =>
      name === 'json'
        ? readCompactJSON(String(data).replaceAll("'", '"'), nested)
        : tagged(name, data);
    const text = `{"a":{"_type_":"json","_data_":"{'inner':[1,{'_type_':'p','_data_':2}]}"},"b":"after"}`;
    const target: Record<string, unknown> = {};
    assert.equal(readCompactFields(text, nested, null, target, rename), true);
    assert.deepEqual(target, { a: { inner: [1, { revived: 'p', data: 2 }] }, b: 'after' });
    // And the shared reader is free again afterwards.
    assert.deepEqual(read('{"x":[1,2]}'), { x: [1, 2] });
  });

  it('reads by a learned shape exactly as without one, and falls back when the text differs', () => {
    const reviveString = (name: string, text: string, start: number, end: number): unknown =>
      tagged(name, `in place ${text.slice(start, end)}`);
    const viaJSON = (text: string): Record<string, unknown> => {
      const target: Record<string, unknown> = {};
      assert.equal(readCompactFields(text, tagged, reviveString, target, rename), true, text);
      return target;
    };
    const memo: ShapeMemo = {};
    const kinds = [
      (i: number) => `{"t":{"_type_":"dt","_data_":"${i}"},"name":"n${i}","n":${i}}`,
      (i: number) => `{"t":{"_type_":"dt","_data_":"${i}"},"name":"n${i}"}`,
      (i: number) =>
        `{"t":{"_type_":"dt","_data_":"${i}"},"dropped":[${i}],"old_name":{"a":[1,{"_type_":"s","_data_":[${i}]}]},"name":""}`,
      (i: number) => `{"name":"n${i}","t":{"_type_":"dt","_data_":"${i}"}}`,
      (i: number) => `{"t":{"_type_":"dt","_data_":${i}},"name":"n${i}"}`,
      (i: number) => `{"t":{"_type_":"other","_data_":"${i}"},"name":"n${i}","n":${i}}`,
      (i: number) => `{"t":{"_type_":"dt","_data_":"${i}"},"name":"n${i}","n":${i}}x`,
      (i: number) => `{"t":{"_type_":"dt","_data_":"${i}"},"name":"n${i}","n":${i},"n":"again"}`,
    ];
    for (let i = 0; i < 400; i++) {
      // The first text of the memo fixes its shape; every other kind must fall back correctly.
      const text = kinds[i === 0 ? 0 : Math.floor(Math.random() * kinds.length)]!(i);
      const target: Record<string, unknown> = {};
      const read = readCompactFields(text, tagged, reviveString, target, rename, memo);
      if (text.endsWith('x')) {
        assert.equal(read, false, text);
        continue;
      }
      assert.equal(read, true, text);
      const expected = viaJSON(text);
      assert.deepEqual(Object.keys(target), Object.keys(expected), text);
      assert.deepEqual(target, expected, text);
    }
    assert.ok(memo.shape, 'a shape was learned');
    // Shapes are read by generated code where that is allowed, else by the general readShape.
    assert.equal(memo.shape.compiled === null, NO_CODE_GENERATION);
  });

  it('learns no shape for objects it does not shape', () => {
    for (const text of [
      '{}',
      '{"_type_":"p","_data_":1}',
      '{"__proto__":1}',
      '{"a":1,"_data_":2}',
    ]) {
      const memo: ShapeMemo = {};
      readCompactFields(text, tagged, null, {}, rename, memo);
      assert.equal(memo.shape, null, text);
    }
  });

  it('lets an error from a reviver propagate, and reads normally afterwards', () => {
    const failing = (): unknown => {
      throw new Error('bad data');
    };
    assert.throws(
      () => readCompactFields('{"t":{"_type_":"p","_data_":1}}', failing, null, {}, rename),
      /bad data/,
    );
    assert.deepEqual(read('{"x":"y"}'), { x: 'y' });
  });
});

describe('JSONTranscoder.decode', () => {
  const t = new JSONTranscoder();

  it("reads the mapper's timestamp-first state with a Date and the other fields in order", () => {
    const text =
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"},' +
      '"originator_topic":"Dog","name":"Fido","tricks":["roll","sit"],"age":3}';
    const state = t.decode(bytes(text)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(state), [
      'timestamp',
      'originator_topic',
      'name',
      'tricks',
      'age',
    ]);
    assert.ok(state.timestamp instanceof Date);
    assert.equal(state.timestamp.toISOString(), '2026-11-22T15:41:18.940Z');
  });

  it('gives the same result for text with escapes or whitespace (the JSON.parse path)', () => {
    const compact =
      '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-22T15:41:18.940123+00:00"},' +
      '"s":{"_type_":"set","_data_":["a","b"]},"q":"plain"}';
    const escaped = compact.replace('"plain"', '"\\"quoted\\""');
    const spaced = JSON.stringify(JSON.parse(compact), null, 2);
    const a = t.decode(bytes(compact)) as Record<string, unknown>;
    const b = t.decode(bytes(escaped)) as Record<string, unknown>;
    const c = t.decode(bytes(spaced)) as Record<string, unknown>;
    assert.deepEqual({ ...a, q: '"quoted"' }, b);
    assert.deepEqual(a, c);
    assert.ok(a.s instanceof Set && a.s.has('b'));
  });

  it('names an unregistered transcoding on either path', () => {
    for (const text of [
      '{"v":{"_type_":"nope","_data_":1}}',
      '{"v":{"_type_":"nope","_data_":"\\n"}}',
    ]) {
      assert.throws(() => t.decode(bytes(text)), TranscodingNotRegisteredError, text);
    }
  });

  it('still rejects invalid JSON with a SyntaxError', () => {
    for (const text of ['{"a":01}', '{"a":"x",}', '{"timestamp":{"_type_":"datetime_iso"']) {
      assert.throws(() => t.decode(bytes(text)), SyntaxError, text);
    }
  });

  it('reads the same where generating code is not allowed (these tests, run again)', {
    skip: NO_CODE_GENERATION ? 'this is that run' : false,
  }, () => {
    // Without the parent runner's context, so that the child reports as a run of its own.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawnSync(
      process.execPath,
      [
        '--disallow-code-generation-from-strings',
        '--import',
        'tsx',
        '--test',
        fileURLToPath(import.meta.url),
      ],
      { encoding: 'utf8', env },
    );
    assert.equal(child.status, 0, child.stdout + child.stderr);
    assert.match(child.stdout, /# fail 0/);
  });
});
