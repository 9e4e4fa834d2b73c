import { Buffer } from 'node:buffer';
import { formatDatetimeISO, parseDatetimeISO } from './datetime-iso.js';
import type { Transcoding, TranscodingType } from './transcoding.js';

/**
 * The transcodings every `JSONTranscoder` has from the start. The names `datetime_iso`,
 * `uuid_hex` and `decimal_str` are the Python library's, so each side reads the other's events.
 */

function expect(condition: boolean, name: string, data: unknown): asserts condition {
  if (!condition) {
    let shown: string;
    try {
      shown = JSON.stringify(data) ?? String(data);
    } catch {
      shown = String(data);
    }
    throw new TypeError(`Invalid data for transcoding '${name}': ${shown.slice(0, 100)}`);
  }
}

/** `Date` as Python's `datetime_iso`: `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (read: any ISO-8601). */
export class DatetimeAsISO implements Transcoding<Date> {
  readonly type = Date;
  readonly name = 'datetime_iso';
  encode(obj: Date): string {
    return formatDatetimeISO(obj);
  }
  decode(data: unknown): Date {
    expect(typeof data === 'string', this.name, data);
    return parseDatetimeISO(data);
  }
}

/** `bigint` as its decimal string (`bigint_str`). */
export class BigIntAsStr implements Transcoding<bigint> {
  // BigInt cannot be called with `new`, but it is what `typeof value === 'bigint'` maps to.
  readonly type = BigInt as unknown as TranscodingType<bigint>;
  readonly name = 'bigint_str';
  encode(obj: bigint): string {
    return obj.toString();
  }
  decode(data: unknown): bigint {
    expect(typeof data === 'string' && /^-?\d+$/.test(data), this.name, data);
    return BigInt(data);
  }
}

/** `Uint8Array` as base64 (`bytes_base64`); decoded as a plain `Uint8Array`. */
export class BytesAsBase64 implements Transcoding<Uint8Array> {
  readonly type: TranscodingType<Uint8Array> = Uint8Array;
  readonly name = 'bytes_base64';
  encode(obj: Uint8Array): string {
    return Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64');
  }
  decode(data: unknown): Uint8Array {
    expect(typeof data === 'string', this.name, data);
    // Copied out of Buffer's shared pool, so a small value does not pin a larger allocation.
    return new Uint8Array(Buffer.from(data, 'base64'));
  }
}

/** `Buffer` as base64, under the same name as `Uint8Array` (decoded as a plain `Uint8Array`). */
export class BufferAsBase64 extends BytesAsBase64 {
  override readonly type: TranscodingType<Uint8Array> = Buffer;
}

/** `Map` as a list of `[key, value]` pairs (`map`); keys and values are transcoded too. */
export class MapAsList implements Transcoding<Map<unknown, unknown>> {
  readonly type = Map;
  readonly name = 'map';
  encode(obj: Map<unknown, unknown>): unknown[] {
    return Array.from(obj);
  }
  decode(data: unknown): Map<unknown, unknown> {
    expect(Array.isArray(data), this.name, data);
    for (const pair of data) expect(Array.isArray(pair) && pair.length === 2, this.name, data);
    return new Map(data as [unknown, unknown][]);
  }
}

/** `Set` as a list of its values (`set`); the values are transcoded too. */
export class SetAsList implements Transcoding<Set<unknown>> {
  readonly type = Set;
  readonly name = 'set';
  encode(obj: Set<unknown>): unknown[] {
    return Array.from(obj);
  }
  decode(data: unknown): Set<unknown> {
    expect(Array.isArray(data), this.name, data);
    return new Set(data);
  }
}

/**
 * Python's `uuid_hex` (a `UUID` as 32 hex digits), read as the canonical hyphenated lower-case
 * UUID string. Decode only: TypeScript has no UUID type, so UUIDs are written as plain strings.
 */
export class UUIDAsHex implements Transcoding<string> {
  readonly type = null;
  readonly name = 'uuid_hex';
  encode(obj: string): string {
    return obj.replaceAll('-', '').toLowerCase();
  }
  decode(data: unknown): string {
    expect(typeof data === 'string' && /^[0-9a-fA-F]{32}$/.test(data), this.name, data);
    const h = data.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/**
 * Python's `decimal_str` (a `Decimal` as its string), read as that string, so no precision is
 * lost. Decode only: TypeScript has no decimal type.
 */
export class DecimalAsStr implements Transcoding<string> {
  readonly type = null;
  readonly name = 'decimal_str';
  encode(obj: string): string {
    return obj;
  }
  decode(data: unknown): string {
    expect(typeof data === 'string', this.name, data);
    return data;
  }
}

/** New instances of every built-in transcoding, in registration order. */
export function builtinTranscodings(): Transcoding<unknown>[] {
  return [
    new DatetimeAsISO(),
    new BigIntAsStr(),
    new BytesAsBase64(),
    new BufferAsBase64(),
    new MapAsList(),
    new SetAsList(),
    new UUIDAsHex(),
    new DecimalAsStr(),
  ] as Transcoding<unknown>[];
}
