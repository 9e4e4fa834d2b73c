import { Buffer } from 'node:buffer';
import { builtinTranscodings, DatetimeAsISO } from './builtin-transcodings.js';
import { parseDatetimeISOIn } from './datetime-iso.js';
import { EncodeFailure, encodeError, MAX_ENCODE_DEPTH } from './encode-failure.js';
import { TranscodingNotRegisteredError } from './errors.js';
import {
  type FieldName,
  holdsControlByte,
  readCompactFields,
  readCompactJSON,
  type ShapeMemo,
} from './fast/compact-json.js';
import { fastPathsByDefault } from './fast/fast-paths.js';
import { JSONWriter } from './fast/json-writer.js';
import type { Transcoder } from './transcoder.js';
import type { Transcoding } from './transcoding.js';

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

/** Options of `new JSONTranscoder(...)`. */
export interface JSONTranscoderOptions {
  /**
   * Whether to use the speed machinery (`src/persistence/fast/`): the one-walk writer, the
   * compact reader, and `encodeFields`/`decodeFields` for the mapper. Default: true, unless the
   * environment variable `EVENTSOURCING_FAST_PATHS` is false. Off, the transcoder writes with
   * `JSON.stringify` and reads with `JSON.parse`: the same bytes and values, more slowly.
   */
  fastPaths?: boolean;
}

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
 *
 * The plain path is this class alone: `encode` is `JSON.stringify` of the value tree with
 * transcoded values wrapped, `decode` is `JSON.parse` and then a walk that revives them. With
 * fast paths on (the default), the same results come from the machinery in `./fast/`, entered
 * here only: the one-walk writer, the compact reader, and the mapper's `encodeFields` and
 * `decodeFields`.
 */
export class JSONTranscoder implements Transcoder {
  /** Whether the speed machinery is used (see `JSONTranscoderOptions.fastPaths`). */
  readonly fastPaths: boolean;
  /**
   * The compact UTF-8 JSON of the object made of `source`'s fields, renamed or left out by
   * `fieldName`, then `extra`'s (see `Transcoder.encodeFields`). Only with fast paths on.
   *
   * @internal
   */
  readonly encodeFields?: (
    source: object,
    fieldName: FieldName,
    extra: Readonly<Record<string, unknown>> | null,
  ) => Uint8Array;
  /**
   * Decodes an object's bytes straight into `target` (see `Transcoder.decodeFields`); false
   * when the text is not compact JSON without escapes, or not an object. Only with fast paths on.
   *
   * @internal
   */
  readonly decodeFields?: (
    data: Uint8Array,
    target: Record<string, unknown>,
    fieldName: FieldName,
    memo?: ShapeMemo,
  ) => boolean;

  /**
   * Whether what this transcoder writes reads back equal for JSON's values and Dates (fast
   * paths on, and Dates by the built-in `datetime_iso`), which lets the mapper keep an event as
   * written beside an in-memory recorder's copy (`src/persistence/fast/kept-events.ts`).
   *
   * @internal
   */
  get readsBackAsWritten(): boolean {
    return this.fastPaths && this.#datesBuiltIn;
  }

  #datesBuiltIn = false;
  readonly #byType = new Map<unknown, Transcoding<unknown>>();
  readonly #byName = new Map<string, Transcoding<unknown>>();
  readonly #writer: JSONWriter | null;
  #lastRevived: Transcoding<unknown> | undefined;

  constructor(options: JSONTranscoderOptions = {}) {
    for (const transcoding of builtinTranscodings()) this.register(transcoding);
    this.fastPaths = options.fastPaths ?? fastPathsByDefault();
    this.#writer = this.fastPaths ? new JSONWriter(this.#byType) : null;
    if (this.fastPaths) {
      this.encodeFields = (source, fieldName, extra) =>
        this.#encodeFields(source, fieldName, extra);
      this.decodeFields = (data, target, fieldName, memo) =>
        this.#decodeFields(data, target, fieldName, memo);
    }
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
    const dates = this.#byType.get(Date);
    this.#datesBuiltIn =
      dates !== undefined &&
      dates.decode === DATETIME_DECODE &&
      this.#byName.get(dates.name) === dates;
  }

  /** The compact UTF-8 JSON of `obj`. */
  encode(obj: unknown): Uint8Array {
    let text: string;
    try {
      if (obj === undefined) throw new EncodeFailure(obj, 'unregistered');
      text =
        this.#writer === null ? JSON.stringify(this.#tree(obj, 0)) : this.#writer.write(obj, 0);
    } catch (error) {
      if (error instanceof EncodeFailure) throw encodeError(error);
      throw error;
    }
    return Buffer.from(text, 'utf8');
  }

  /** The object whose UTF-8 JSON these bytes are, with transcoded values rebuilt. */
  decode(data: Uint8Array): unknown {
    const text = UTF8.decode(data);
    // Without a backslash no string holds an escape, which the compact reader relies on.
    if (this.fastPaths && text.indexOf('\\') === -1) {
      const value = readCompactJSON(text, this.#reviveNamed, this.#reviveString, checkedLong(data));
      if (value !== undefined) return value;
    }
    const value: unknown = JSON.parse(text);
    // JSON escapes a quote inside a string, so without this text no object has a `_type_` key.
    return text.indexOf('"_type_"') === -1 ? value : this.#revive(value);
  }

  #encodeFields(
    source: object,
    fieldName: FieldName,
    extra: Readonly<Record<string, unknown>> | null,
  ): Uint8Array {
    let text: string;
    try {
      text = this.#writer!.object(source as Record<string, unknown>, 0, fieldName, extra);
    } catch (error) {
      if (error instanceof EncodeFailure) throw encodeError(error);
      throw error;
    }
    return Buffer.from(text, 'utf8');
  }

  #decodeFields(
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

  /**
   * The tree of JSON values that `value` is written as: transcoded values wrapped as
   * `{"_type_": name, "_data_": data}`, undefined fields left out (null in arrays).
   */
  #tree(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value)) return value;
        throw new EncodeFailure(value, 'non-finite');
      case 'object': {
        if (value === null) return null;
        if (depth > MAX_ENCODE_DEPTH) throw new EncodeFailure(value, 'too-deep');
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto === Object.prototype || proto === null) {
          return this.#treeObject(value as Record<string, unknown>, depth);
        }
        if (proto === Array.prototype) return this.#treeArray(value as unknown[], depth);
        const transcoding = this.#byType.get((proto as { constructor: unknown }).constructor);
        if (transcoding !== undefined) return this.#treeWrap(transcoding, value, depth);
        // An array of a subclass is still a JSON array (as Python writes a tuple as a list).
        if (Array.isArray(value)) return this.#treeArray(value, depth);
        throw new EncodeFailure(value, 'unregistered');
      }
      case 'bigint': {
        const transcoding = this.#byType.get(BigInt);
        if (transcoding !== undefined) return this.#treeWrap(transcoding, value, depth);
        throw new EncodeFailure(value, 'unregistered');
      }
      default:
        throw new EncodeFailure(value, 'unregistered');
    }
  }

  #treeWrap(transcoding: Transcoding<unknown>, value: unknown, depth: number): unknown {
    try {
      return { _type_: transcoding.name, _data_: this.#tree(transcoding.encode(value), depth + 1) };
    } catch (error) {
      if (error instanceof EncodeFailure) error.path.push(`<${transcoding.name}>`);
      throw error;
    }
  }

  #treeArray(arr: readonly unknown[], depth: number): unknown[] {
    const n = arr.length;
    const out = new Array<unknown>(n);
    let i = 0;
    try {
      for (; i < n; i++) {
        const item = arr[i];
        out[i] = item === undefined ? null : this.#tree(item, depth + 1);
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.path.push(i);
      throw error;
    }
    return out;
  }

  #treeObject(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let key = '';
    try {
      for (key of Object.keys(obj)) {
        const item = obj[key];
        if (item !== undefined) setOwn(out, key, this.#tree(item, depth + 1));
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.path.push(key);
      throw error;
    }
    return out;
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
