import { Buffer } from 'node:buffer';
import { builtinTranscodings, DatetimeAsISO } from './builtin-transcodings.js';
import {
  type FieldName,
  holdsControlByte,
  readCompactFields,
  readCompactJSON,
  type ShapeMemo,
} from './compact-json.js';
import { parseDatetimeISOIn } from './datetime-iso.js';
import { DataError, TranscodingNotRegisteredError } from './errors.js';
import type { Transcoder } from './transcoder.js';
import type { Transcoding } from './transcoding.js';

/** Deeper than this is taken to be a cycle (JSON cannot hold one). */
const MAX_DEPTH = 1000;

/** Thrown inside the encoding walk; `encode` turns it into the public error with the path. */
class EncodeFailure {
  readonly path: (string | number)[] = [];
  constructor(
    readonly value: unknown,
    readonly reason: 'unregistered' | 'non-finite' | 'too-deep',
  ) {}
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    const ctor = (proto as { constructor?: { name?: unknown } } | null)?.constructor;
    return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
  }
  if (typeof value === 'function') return 'function';
  return typeof value;
}

function renderPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (let i = path.length - 1; i >= 0; i--) {
    const part = path[i]!;
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$|^<.*>$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Longer strings are quoted by JSON.stringify, whose scan is faster than a loop here. */
const QUOTE_LOOP_MAX = 64;

/** The JSON string literal of `text`, as `JSON.stringify(text)` writes it. */
function quote(text: string): string {
  const n = text.length;
  if (n > QUOTE_LOOP_MAX) return JSON.stringify(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Control characters, '"', '\\' and surrogates (a lone one is escaped) need JSON.stringify.
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

// Objects of a kind share their keys: each key's quoted form (with its colon) is made once.
// Bounded, since keys can also be data (ids in a record used as a dictionary).
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 10_000;
const QUOTED_KEY_LENGTH_MAX = 64;

/** `"key":`, as JSON writes a key. */
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${quote(key)}:`;
    if (quotedKeys.size < QUOTED_KEYS_MAX && key.length <= QUOTED_KEY_LENGTH_MAX) {
      quotedKeys.set(key, quoted);
    }
  }
  return quoted;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to '__proto__' would change the object's prototype.
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

const DATETIME_DECODE = DatetimeAsISO.prototype.decode;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/** Texts of more bytes than this are checked for control characters before they are read. */
const LONG_TEXT = 256;

/**
 * Whether the bytes are long and hold no control character, checked four bytes at a time, so
 * that the compact reader need not check each string it reads. Otherwise the reader checks its
 * strings itself (for short texts, cheaper than a scan of them all) and gives up on one that
 * holds a control character.
 */
function checkedLong(data: Uint8Array): boolean {
  return data.length > LONG_TEXT && !holdsControlByte(data);
}

// Decodes short texts (event states) several times faster than Buffer's toString.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Encodes objects as compact UTF-8 JSON, as the Python library's `JSONTranscoder` does. JSON
 * values (null, booleans, finite numbers, strings, arrays, plain objects) are written as they
 * are; any other value is written as `{"_type_": name, "_data_": encoded}` by the transcoding
 * registered for its exact constructor (nested values are encoded the same way), and read back
 * by the transcoding registered under that name. Built in: `Date` (`datetime_iso`), `bigint`
 * (`bigint_str`), `Uint8Array` and `Buffer` (`bytes_base64`), `Map` (`map`), `Set` (`set`), and,
 * for reading Python's events, `uuid_hex` and `decimal_str` (as strings).
 *
 * Values are inspected before any `toJSON` method could run, so a `Date` stays a `Date`.
 * `undefined` object fields are omitted (in arrays they are written as `null`). A value with
 * no transcoding is a `TranscodingNotRegisteredError`, on write and on read; `NaN` and
 * infinities are a `DataError`. Both messages give the path of the value.
 */
export class JSONTranscoder implements Transcoder {
  readonly #byType = new Map<unknown, Transcoding<unknown>>();
  readonly #byName = new Map<string, Transcoding<unknown>>();
  #lastRevived: Transcoding<unknown> | undefined;

  constructor() {
    for (const transcoding of builtinTranscodings()) this.register(transcoding);
  }

  /**
   * Adds a transcoding, replacing any registered for the same type or name. The name is stored
   * with the data, so it must not change while events written with it are stored.
   */
  register<T>(transcoding: Transcoding<T>): void {
    const t = transcoding as Transcoding<unknown> | null | undefined;
    if (
      t === null ||
      typeof t !== 'object' ||
      typeof t.name !== 'string' ||
      t.name === '' ||
      typeof t.encode !== 'function' ||
      typeof t.decode !== 'function' ||
      (t.type !== null && typeof t.type !== 'function')
    ) {
      throw new TypeError(
        'A transcoding needs a non-empty string `name`, `encode` and `decode` methods, and a ' +
          '`type` that is the constructor of the values it encodes (or null to only decode).',
      );
    }
    if (t.type !== null) this.#byType.set(t.type, t);
    this.#byName.set(t.name, t);
    this.#lastRevived = undefined;
  }

  /** The compact UTF-8 JSON of `obj`. */
  encode(obj: unknown): Uint8Array {
    return this.#encodeObject(obj, null, null);
  }

  /**
   * The compact UTF-8 JSON of the object made of `source`'s fields, renamed or left out by
   * `fieldName`, then `extra`'s (see `Transcoder.encodeFields`).
   */
  encodeFields(
    source: object,
    fieldName: FieldName,
    extra: Readonly<Record<string, unknown>> | null,
  ): Uint8Array {
    return this.#encodeObject(source, fieldName, extra);
  }

  /** `value` as `encode` writes it; with `fieldName`, an object's fields as `encodeFields` does. */
  #encodeObject(
    value: unknown,
    fieldName: FieldName | null,
    extra: Readonly<Record<string, unknown>> | null,
  ): Uint8Array {
    let text: string;
    try {
      if (value === undefined) this.#unregistered(value);
      text =
        fieldName === null
          ? this.#write(value, 0)
          : this.#object(value as Record<string, unknown>, 0, fieldName, extra);
    } catch (error) {
      if (error instanceof EncodeFailure) throw this.#encodeError(error);
      throw error;
    }
    return Buffer.from(text, 'utf8');
  }

  /** The object whose UTF-8 JSON these bytes are, with transcoded values rebuilt. */
  decode(data: Uint8Array): unknown {
    const text = UTF8.decode(data);
    // Without a backslash no string holds an escape, which the compact reader relies on.
    if (text.indexOf('\\') === -1) {
      const value = readCompactJSON(text, this.#reviveNamed, this.#reviveString, checkedLong(data));
      if (value !== undefined) return value;
    }
    const value: unknown = JSON.parse(text);
    // JSON escapes a quote inside a string, so without this text no object has a `_type_` key.
    return text.indexOf('"_type_"') === -1 ? value : this.#revive(value);
  }

  /**
   * Decodes an object's bytes straight into `target` (see `Transcoder.decodeFields`); false
   * when the text is not compact JSON without escapes, or not an object.
   */
  decodeFields(
    data: Uint8Array,
    target: Record<string, unknown>,
    fieldName: FieldName,
    memo?: ShapeMemo,
  ): boolean {
    const text = UTF8.decode(data);
    return (
      text.indexOf('\\') === -1 &&
      readCompactFields(
        text,
        this.#reviveNamed,
        this.#reviveString,
        target,
        fieldName,
        memo ?? null,
        checkedLong(data),
      )
    );
  }

  /** The value the transcoding called `name` wrote as `data`. */
  readonly #reviveNamed = (name: unknown, data: unknown): unknown =>
    this.#transcodingNamed(name).decode(data);

  /** The value the transcoding called `name` wrote as the string `text.slice(start, end)`. */
  readonly #reviveString = (name: string, text: string, start: number, end: number): unknown => {
    const transcoding = this.#transcodingNamed(name);
    // The built-in Date transcoding reads the timestamp where it stands in the text.
    if (transcoding.decode === DATETIME_DECODE) return parseDatetimeISOIn(text, start, end);
    const data = text.slice(start, end);
    // Any other transcoding might accept a raw control character, which JSON.parse rejects.
    if (CONTROL_CHARACTER.test(data)) throw new SyntaxError('Control character in a string.');
    return transcoding.decode(data);
  };

  #transcodingNamed(name: unknown): Transcoding<unknown> {
    // Most values read together share their transcoding (datetime_iso): compare before hashing.
    let transcoding = this.#lastRevived;
    if (transcoding === undefined || name !== transcoding.name) {
      transcoding = typeof name === 'string' ? this.#byName.get(name) : undefined;
      if (transcoding === undefined) {
        throw new TranscodingNotRegisteredError(
          `Data serialized with name ${JSON.stringify(name)} is not deserializable. Please ` +
            'register a custom transcoding for this type (transcoder.register(...)) before reading.',
        );
      }
      this.#lastRevived = transcoding;
    }
    return transcoding;
  }

  #unregistered(value: unknown): never {
    throw new EncodeFailure(value, 'unregistered');
  }

  #encodeError(failure: EncodeFailure): Error {
    const where = failure.path.length > 0 ? ` (at ${renderPath(failure.path)})` : '';
    const { value } = failure;
    if (failure.reason === 'non-finite') {
      return new DataError(
        `Cannot encode ${String(value)}${where}: JSON has no NaN or Infinity. Store null or a ` +
          'string instead.',
      );
    }
    if (failure.reason === 'too-deep') {
      return new DataError(
        `Cannot encode a value nested more than ${MAX_DEPTH} levels deep${where}: it probably ` +
          'refers to itself (a cycle), which JSON cannot hold.',
      );
    }
    const name = typeName(value);
    return new TranscodingNotRegisteredError(
      `Object of type ${name} is not serializable${where}. Please define and register a custom ` +
        `transcoding for this type: transcoder.register({ type: ${name}, name: '...', ` +
        'encode(obj) { ... }, decode(data) { ... } }).',
    );
  }

  /**
   * The JSON text of `value`, exactly as `JSON.stringify` writes the tree of JSON values with
   * transcoded values wrapped, but written in one walk, without building that tree.
   */
  #write(value: unknown, depth: number): string {
    switch (typeof value) {
      case 'string':
        return quote(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        // String(n) is JSON's form of every finite number (-0 included).
        if (Number.isFinite(value)) return String(value);
        throw new EncodeFailure(value, 'non-finite');
      case 'object': {
        if (value === null) return 'null';
        if (depth > MAX_DEPTH) throw new EncodeFailure(value, 'too-deep');
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto === Object.prototype || proto === null) {
          return this.#object(value as Record<string, unknown>, depth);
        }
        if (proto === Array.prototype) return this.#array(value as unknown[], depth);
        const transcoding = this.#byType.get((proto as { constructor: unknown }).constructor);
        if (transcoding !== undefined) return this.#wrap(transcoding, value, depth);
        // An array of a subclass is still a JSON array (as Python writes a tuple as a list).
        if (Array.isArray(value)) return this.#array(value, depth);
        throw new EncodeFailure(value, 'unregistered');
      }
      case 'bigint': {
        const transcoding = this.#byType.get(BigInt);
        if (transcoding !== undefined) return this.#wrap(transcoding, value, depth);
        throw new EncodeFailure(value, 'unregistered');
      }
      default:
        throw new EncodeFailure(value, 'unregistered');
    }
  }

  #wrap(transcoding: Transcoding<unknown>, value: unknown, depth: number): string {
    try {
      return (
        `{"_type_":${quote(transcoding.name)},"_data_":` +
        `${this.#write(transcoding.encode(value), depth + 1)}}`
      );
    } catch (error) {
      if (error instanceof EncodeFailure) error.path.push(`<${transcoding.name}>`);
      throw error;
    }
  }

  #array(arr: readonly unknown[], depth: number): string {
    const n = arr.length;
    let out = '[';
    let i = 0;
    try {
      for (; i < n; i++) {
        const item = arr[i];
        if (i > 0) out += ',';
        out += item === undefined ? 'null' : this.#write(item, depth + 1);
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.path.push(i);
      throw error;
    }
    return `${out}]`;
  }

  /** An object's JSON; with `fieldName`, its keys renamed or left out; then `extra`'s fields. */
  #object(
    obj: Record<string, unknown>,
    depth: number,
    fieldName: FieldName | null = null,
    extra: Readonly<Record<string, unknown>> | null = null,
  ): string {
    const keys = Object.keys(obj);
    const n = keys.length;
    let out = '{';
    let name: string | null = null;
    try {
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        name = fieldName === null ? key : fieldName(key);
        const item = obj[key];
        // JSON.stringify omits undefined fields.
        if (item === undefined || name === null) continue;
        if (out.length > 1) out += ',';
        out += quotedKey(name) + this.#write(item, depth + 1);
      }
      if (extra !== null) {
        for (const key of Object.keys(extra)) {
          name = key;
          const item = extra[key];
          if (item === undefined) continue;
          if (out.length > 1) out += ',';
          out += quotedKey(key) + this.#write(item, depth + 1);
        }
      }
    } catch (error) {
      if (error instanceof EncodeFailure && name !== null) error.path.push(name);
      throw error;
    }
    return `${out}}`;
  }

  /** Rebuilds transcoded values in place, innermost first (a Map's values before the Map). */
  #revive(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null) {
          const revived = this.#revive(item);
          if (revived !== item) value[i] = revived;
        }
      }
      return value;
    }
    const obj = value as Record<string, unknown>;
    let count = 0;
    for (const key in obj) {
      count++;
      const item = obj[key];
      if (typeof item === 'object' && item !== null) {
        const revived = this.#revive(item);
        if (revived !== item) setOwn(obj, key, revived);
      }
    }
    if (count === 2 && Object.hasOwn(obj, '_type_') && Object.hasOwn(obj, '_data_')) {
      return this.#reviveNamed(obj._type_, obj._data_);
    }
    return obj;
  }
}
