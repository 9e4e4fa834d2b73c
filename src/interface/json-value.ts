import { Buffer } from 'node:buffer';

/** A value `JSON.stringify` writes as it is. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

const MAX_DEPTH = 64;

/**
 * A decoded value as JSON that keeps what it was readable: dates as ISO 8601 strings, big
 * integers and non-finite numbers as strings, bytes as base64 strings, maps as objects (keys as
 * strings), sets as arrays, other objects by their own enumerable fields, and a value met again
 * inside itself as `"[Circular]"`.
 */
export function toJsonValue(value: unknown): JsonValue {
  return convert(value, new Set(), 0);
}

function convert(value: unknown, seen: Set<object>, depth: number): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  }
  if (object instanceof Uint8Array) {
    return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64');
  }
  if (seen.has(object) || depth >= MAX_DEPTH) return '[Circular]';
  seen.add(object);
  try {
    if (Array.isArray(object) || object instanceof Set) {
      return [...(object as Iterable<unknown>)].map((item) => convert(item, seen, depth + 1));
    }
    const result: Record<string, JsonValue> = {};
    const entries: Iterable<[unknown, unknown]> =
      object instanceof Map ? object.entries() : Object.entries(object);
    for (const [key, item] of entries) {
      const name = typeof key === 'string' ? key : String(convert(key, seen, depth + 1));
      Object.defineProperty(result, name, {
        value: convert(item, seen, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  } finally {
    seen.delete(object);
  }
}
