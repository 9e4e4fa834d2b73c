import { EncodeFailure, MAX_ENCODE_DEPTH } from '../encode-failure.js';
import type { Transcoding } from '../transcoding.js';
import type { FieldName } from './compact-json.js';

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

/**
 * Writes the JSON text that the plain path (`JSON.stringify` of the tree of JSON values, with
 * transcoded values wrapped as `{"_type_", "_data_"}`) writes, byte for byte, in one walk,
 * without building that tree; and, for the mapper, an object's fields renamed on the way (a W1
 * event 1.0 → 0.7 µs). Failures are thrown as `EncodeFailure`, with the same paths.
 */
export class JSONWriter {
  /** `transcodings` is the transcoder's map from constructor to transcoding (read, not copied). */
  constructor(private readonly transcodings: ReadonlyMap<unknown, Transcoding<unknown>>) {}

  /** The JSON text of `value`. */
  write(value: unknown, depth: number): string {
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
        if (depth > MAX_ENCODE_DEPTH) throw new EncodeFailure(value, 'too-deep');
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto === Object.prototype || proto === null) {
          return this.object(value as Record<string, unknown>, depth, null, null);
        }
        if (proto === Array.prototype) return this.#array(value as unknown[], depth);
        const transcoding = this.transcodings.get((proto as { constructor: unknown }).constructor);
        if (transcoding !== undefined) return this.#wrap(transcoding, value, depth);
        // An array of a subclass is still a JSON array (as Python writes a tuple as a list).
        if (Array.isArray(value)) return this.#array(value, depth);
        throw new EncodeFailure(value, 'unregistered');
      }
      case 'bigint': {
        const transcoding = this.transcodings.get(BigInt);
        if (transcoding !== undefined) return this.#wrap(transcoding, value, depth);
        throw new EncodeFailure(value, 'unregistered');
      }
      default:
        throw new EncodeFailure(value, 'unregistered');
    }
  }

  /** An object's JSON; with `fieldName`, its keys renamed or left out; then `extra`'s fields. */
  object(
    obj: Record<string, unknown>,
    depth: number,
    fieldName: FieldName | null,
    extra: Readonly<Record<string, unknown>> | null,
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
        out += quotedKey(name) + this.write(item, depth + 1);
      }
      if (extra !== null) {
        for (const key of Object.keys(extra)) {
          name = key;
          const item = extra[key];
          if (item === undefined) continue;
          if (out.length > 1) out += ',';
          out += quotedKey(key) + this.write(item, depth + 1);
        }
      }
    } catch (error) {
      if (error instanceof EncodeFailure && name !== null) error.path.push(name);
      throw error;
    }
    return `${out}}`;
  }

  #wrap(transcoding: Transcoding<unknown>, value: unknown, depth: number): string {
    try {
      return (
        `{"_type_":${quote(transcoding.name)},"_data_":` +
        `${this.write(transcoding.encode(value), depth + 1)}}`
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
        out += item === undefined ? 'null' : this.write(item, depth + 1);
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.path.push(i);
      throw error;
    }
    return `${out}]`;
  }
}
