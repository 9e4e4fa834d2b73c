/**
 * Copies a value deeply, keeping prototypes: class instances stay instances of their classes,
 * and Date, Map, Set, RegExp, ArrayBuffer and typed arrays are copied as themselves. Cycles and
 * shared references are preserved. `structuredClone` cannot be used for this: it drops prototypes.
 * Functions and symbols are shared, not copied. `#private` fields cannot be copied (use
 * TypeScript's `private` in aggregates that are cached or snapshotted).
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  return copyObject(value, new Map()) as T;
}

function copyValue(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return copyObject(value, seen);
}

function copyObject(value: object, seen: Map<object, unknown>): unknown {
  const known = seen.get(value);
  if (known !== undefined) return known;
  let copy: object;
  if (Array.isArray(value)) {
    const array: unknown[] = new Array(value.length);
    seen.set(value, array);
    for (let i = 0; i < value.length; i++) array[i] = copyValue(value[i], seen);
    copy = array;
    if (Object.getPrototypeOf(value) !== Array.prototype) {
      Object.setPrototypeOf(array, Object.getPrototypeOf(value));
    }
  } else if (value instanceof Date) {
    copy = new Date(value.getTime());
    seen.set(value, copy);
  } else if (value instanceof Map) {
    const map = new Map();
    seen.set(value, map);
    for (const [k, v] of value) map.set(copyValue(k, seen), copyValue(v, seen));
    copy = map;
  } else if (value instanceof Set) {
    const set = new Set();
    seen.set(value, set);
    for (const v of value) set.add(copyValue(v, seen));
    copy = set;
  } else if (ArrayBuffer.isView(value)) {
    copy = copyView(value);
    seen.set(value, copy);
  } else if (value instanceof ArrayBuffer) {
    copy = value.slice(0);
    seen.set(value, copy);
  } else if (value instanceof RegExp) {
    copy = new RegExp(value.source, value.flags);
    seen.set(value, copy);
  } else {
    const object = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
    seen.set(value, object);
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) object[key] = copyValue(source[key], seen);
    copy = object;
  }
  if (Object.isFrozen(value)) Object.freeze(copy);
  return copy;
}

function copyView(view: ArrayBufferView): ArrayBufferView {
  if (view instanceof DataView) {
    return new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  }
  // Buffer's slice() shares memory; Buffer.from() copies.
  if (Buffer.isBuffer(view)) return Buffer.from(view);
  const typed = view as unknown as { slice(): ArrayBufferView };
  return typed.slice();
}
