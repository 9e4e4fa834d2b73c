/**
 * Decoded events kept beside stored events that stay in memory (the in-memory recorders'), so
 * that reading the same stored event again makes the domain event from what was decoded the
 * first time, without decoding its bytes (UTF-8, JSON, timestamps) again.
 *
 * Copy semantics are kept: the event a read returns is new every time, and so is every mutable
 * value in it (a `Date`, an array, a plain object, at any depth); only primitives are shared.
 * A stored event whose decoded fields hold anything else (a `Map`, a `Set`, bytes, an instance
 * of a class of yours) is decoded every time, as it is without this. The stored bytes stay the
 * truth: they are still written through the transcoder (so that a value it cannot encode fails
 * at save, as on a database), and every other reader decodes them.
 *
 * The seam: a recorder that keeps stored events calls `keepDecoded` on each (before freezing
 * it); the mapper's fast path reads it with `keptEvent` and fills it with `rememberDecoded`.
 */

/** How each field of a kept event is made again. */
const SHARED = 0;
const DATE = 1;
const TREE = 2;

/** Makes an event of one layout (its field names, and how each is made) from a form's values. */
type Maker = (
  proto: object,
  originatorId: string,
  originatorVersion: number,
  values: readonly unknown[],
  copy: (value: unknown) => unknown,
) => object;

/**
 * The form of one stored event's decoded event, for one reader (`owner`), or that it cannot be
 * kept (`make` false). The form's parts are fields of the slot itself, which saves a read of
 * another object per event.
 */
class KeptSlot {
  /** Makes the event from `proto` and `values`; false: cannot be kept. */
  make: Maker | false = false;
  proto: object | null = null;
  /** Primitives as they are; a Date as its time; a tree of arrays and objects as a private copy. */
  values: readonly unknown[] = [];

  constructor(
    /** The mapper that made it (a form is made again for another one). */
    readonly owner: object,
  ) {}
}

/** A base class whose constructor returns the object it is given, instead of a new one. */
class ReturnsTarget {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: how a private field is put on a plain object.
    return target;
  }
}

/**
 * Puts a private field on a stored event (the base class's constructor returns the event, so
 * the field is added to it). A private field is invisible (to `Object.keys`,
 * `assert.deepStrictEqual`, JSON, spreading), costs about nothing to add (where
 * `Object.defineProperty` of a hidden property costs more than making the event), is read with
 * one brand check, and stays writable when the event is frozen. It holds null (not read yet),
 * the reader that read it once (a form is made on the second read, so that a one-pass read of
 * the log keeps nothing), or a `KeptSlot`.
 */
class KeptStamp extends ReturnsTarget {
  #kept: KeptSlot | object | null = null;

  /** Whether `stored` carries the field. */
  static has(stored: object): boolean {
    return #kept in stored;
  }

  /** What `stored` keeps (it must carry the field). */
  static get(stored: object): KeptSlot | object | null {
    return (stored as KeptStamp).#kept;
  }

  static set(stored: object, kept: KeptSlot | object): void {
    (stored as KeptStamp).#kept = kept;
  }
}

/**
 * Notes on a stored event the mapper just wrote which domain event it was written from
 * (`noteWritten`), so that a recorder that keeps it can keep that event's form at once, with no
 * read to decode (two private fields: the cost of a save on any backend stays the same).
 */
class WrittenStamp extends ReturnsTarget {
  readonly #owner: object;
  readonly #event: object;

  constructor(stored: object, owner: object, event: object) {
    super(stored);
    this.#owner = owner;
    this.#event = event;
  }

  /** The form of the event `stored` was written from, if it was noted; else null. */
  static formOf(stored: object): KeptSlot | null {
    return #owner in stored ? writtenForm(stored.#owner, stored.#event) : null;
  }
}

/**
 * Notes that `stored` was written by `owner` (a mapper) from `event`, whose fields read back as
 * they are (the mapper checks that the transcoder writes them so). A recorder that keeps
 * stored events takes the form from `event` when it copies `stored`, before anything can
 * change the event's Dates or arrays.
 */
export function noteWritten(stored: object, owner: object, event: object): void {
  new WrittenStamp(stored, owner, event);
}

/**
 * Marks `stored` (an object that the caller then freezes and keeps) as one whose decoded event
 * the mapper may keep; when `from` (the stored event it copies) was noted by `noteWritten`, the
 * form is kept at once. Returns `stored`.
 */
export function keepDecoded<T extends object>(stored: T, from?: object): T {
  new KeptStamp(stored);
  const form = from === undefined ? null : WrittenStamp.formOf(from);
  if (form !== null) KeptStamp.set(stored, form);
  return stored;
}

/** Whether `stored` is kept by a recorder (`keepDecoded`). */
export function isKept(stored: object): boolean {
  return KeptStamp.has(stored);
}

/** The form kept for `stored`, or null (for tests and diagnostics). */
export function keptSlot(stored: object): KeptSlot | null {
  if (!KeptStamp.has(stored)) return null;
  const kept = KeptStamp.get(stored);
  return kept instanceof KeptSlot ? kept : null;
}

/**
 * A new domain event made from the form kept for `stored` (which `isKept`) by `owner` (frozen,
 * as the mapper's events are), or null when there is none (or the event cannot be kept).
 */
export function keptEvent(
  stored: object,
  owner: object,
  originatorId: string,
  originatorVersion: number,
): object | null {
  const kept = KeptStamp.get(stored);
  if (!(kept instanceof KeptSlot) || kept.owner !== owner) return null;
  const make = kept.make;
  if (make === false) return null;
  return make(kept.proto!, originatorId, originatorVersion, kept.values, copyTree);
}

/**
 * Called with each `event` that `owner` decoded from `stored` (which `isKept`): the first read
 * is noted, the second keeps the form, when every field is a primitive, a `Date`, or arrays and
 * plain objects of those (else it keeps that the event cannot be kept).
 */
export function rememberDecoded(stored: object, owner: object, event: object): void {
  const kept = KeptStamp.get(stored);
  if (kept === owner) KeptStamp.set(stored, decodedForm(owner, event));
  else if (!(kept instanceof KeptSlot && kept.owner === owner)) KeptStamp.set(stored, owner);
}

/**
 * The maker of events of one layout: generated code that assigns each field by its name (one
 * inline cache per field, where a loop over the names would store through one megamorphic
 * keyed store: 3× slower), or that loop where code cannot be generated
 * (`--disallow-code-generation-from-strings`). Made once per layout.
 */
function makerFor(proto: object, keys: readonly string[], kinds: readonly number[]): Maker {
  // Events of a class mostly share one layout: compare with its last before making a key.
  const last = lastLayouts.get(proto);
  if (last !== undefined && sameItems(last.keys, keys) && sameItems(last.kinds, kinds)) {
    return last.make;
  }
  const layout = JSON.stringify([keys, kinds]);
  let make = makers.get(layout);
  if (make === undefined) {
    make = compileMaker(keys, kinds) ?? loopMaker(keys, kinds);
    if (makers.size < MAX_MAKERS) makers.set(layout, make);
  }
  lastLayouts.set(proto, { keys, kinds, make });
  return make;
}

/** The last layout made for each event class's prototype. */
const lastLayouts = new WeakMap<
  object,
  { keys: readonly string[]; kinds: readonly number[]; make: Maker }
>();

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const makers = new Map<string, Maker>();
const MAX_MAKERS = 1000;

function compileMaker(keys: readonly string[], kinds: readonly number[]): Maker | null {
  const lines = [
    'const event = Object.create(proto);',
    'event.originatorId = originatorId;',
    'event.originatorVersion = originatorVersion;',
  ];
  for (let i = 0; i < keys.length; i++) {
    const value =
      kinds[i] === SHARED
        ? `values[${i}]`
        : kinds[i] === DATE
          ? `new Date(values[${i}])`
          : `copy(values[${i}])`;
    // Names are written with JSON.stringify, so they are never read as code.
    lines.push(`event[${JSON.stringify(keys[i])}] = ${value};`);
  }
  lines.push('return Object.freeze(event);');
  try {
    return new Function(
      'proto',
      'originatorId',
      'originatorVersion',
      'values',
      'copy',
      lines.join('\n'),
    ) as Maker;
  } catch {
    return null;
  }
}

function loopMaker(keys: readonly string[], kinds: readonly number[]): Maker {
  return (proto, originatorId, originatorVersion, values, copy) => {
    const event = Object.create(proto) as Record<string, unknown>;
    event.originatorId = originatorId;
    event.originatorVersion = originatorVersion;
    for (let i = 0; i < keys.length; i++) {
      const kind = kinds[i];
      const value = values[i];
      event[keys[i]!] =
        kind === SHARED ? value : kind === DATE ? new Date(value as number) : copy(value);
    }
    return Object.freeze(event);
  };
}

/** The form of a decoded event (its `make` false when it cannot be kept). */
function decodedForm(owner: object, event: object): KeptSlot {
  const slot = new KeptSlot(owner);
  const fields = event as Record<string, unknown>;
  const keys: string[] = [];
  const values: unknown[] = [];
  const kinds: number[] = [];
  for (const key of Object.keys(fields)) {
    if (key === 'originatorId' || key === 'originatorVersion') continue;
    const value = fields[key];
    // A field named so was defined, not assigned (see the mapper): not worth keeping.
    if (key === '__proto__') return slot;
    if (isPrimitive(value)) {
      kinds.push(SHARED);
      values.push(value);
    } else if (isPlainDate(value)) {
      kinds.push(DATE);
      values.push(value.getTime());
    } else if (isTree(value, 0)) {
      kinds.push(TREE);
      values.push(copyTree(value));
    } else {
      return slot;
    }
    keys.push(key);
  }
  return withForm(slot, event, keys, values, kinds);
}

/**
 * The form of `event`, as reading its stored state will give it: fields whose value is
 * undefined left out, -0 read as 0, and in arrays undefined as null. Only primitives that JSON
 * holds, plain Dates, and arrays and plain objects of those; anything else (a bigint, a Map, a
 * class of yours) gives null, and the first reads decide.
 */
function writtenForm(owner: object, event: object): KeptSlot | null {
  const fields = event as Record<string, unknown>;
  const keys: string[] = [];
  const values: unknown[] = [];
  const kinds: number[] = [];
  for (const key of Object.keys(fields)) {
    if (key === 'originatorId' || key === 'originatorVersion') continue;
    const value = fields[key];
    if (value === undefined) continue;
    if (key === '__proto__') return null;
    if (isJSONPrimitive(value)) {
      kinds.push(SHARED);
      values.push(value === 0 ? 0 : value);
    } else if (isPlainDate(value)) {
      kinds.push(DATE);
      values.push(value.getTime());
    } else if (isTree(value, 0)) {
      kinds.push(TREE);
      values.push(copyAsStored(value));
    } else {
      return null;
    }
    keys.push(key);
  }
  return withForm(new KeptSlot(owner), event, keys, values, kinds);
}

function withForm(
  slot: KeptSlot,
  event: object,
  keys: readonly string[],
  values: readonly unknown[],
  kinds: readonly number[],
): KeptSlot {
  const proto = Object.getPrototypeOf(event) as object;
  slot.proto = proto;
  slot.values = values;
  slot.make = makerFor(proto, keys, kinds);
  return slot;
}

function isJSONPrimitive(value: unknown): boolean {
  const type = typeof value;
  return value === null || type === 'string' || type === 'boolean' || type === 'number';
}

/** A copy of a tree as reading its JSON gives it (see `writtenForm`). */
function copyAsStored(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value === 0 ? 0 : value;
  if (Array.isArray(value)) {
    const n = value.length;
    const copy = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      copy[i] = item === undefined ? null : copyAsStored(item);
    }
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined) continue;
    const copied = copyAsStored(item);
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: copied,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = copied;
    }
  }
  return copy;
}

/** Deeper trees are decoded every time (the check and the copy recurse). */
const MAX_TREE_DEPTH = 64;

function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/** A primitive a tree may hold: JSON's, or undefined (left out, or null in an array). */
function isTreePrimitive(value: unknown): boolean {
  return value === undefined || isJSONPrimitive(value);
}

function isPlainDate(value: unknown): value is Date {
  return value instanceof Date && Object.getPrototypeOf(value) === Date.prototype;
}

/** Whether `value` is an array or a plain object of primitives, Dates, and such arrays and objects. */
function isTree(value: unknown, depth: number): boolean {
  if (depth > MAX_TREE_DEPTH || typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (!isTreePrimitive(item) && !isPlainDate(item) && !isTree(item, depth + 1)) return false;
    }
    return true;
  }
  if (proto !== Object.prototype) return false;
  // Only plain data properties: no getters, no symbols, nothing hidden.
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  const descriptors = Object.getOwnPropertyDescriptors(value);
  let written = 0;
  for (const key of Object.keys(descriptors)) {
    const descriptor = descriptors[key]!;
    if (!descriptor.enumerable || !('value' in descriptor)) return false;
    const item: unknown = descriptor.value;
    if (!isTreePrimitive(item) && !isPlainDate(item) && !isTree(item, depth + 1)) return false;
    if (item !== undefined) written++;
  }
  // Written as {"_type_", "_data_"} alone, an object reads back as a transcoded value.
  return !(written === 2 && isWritten(descriptors._type_) && isWritten(descriptors._data_));
}

function isWritten(descriptor: PropertyDescriptor | undefined): boolean {
  return descriptor !== undefined && descriptor.value !== undefined;
}

/** A copy of a tree (`isTree`): new arrays, objects and Dates; primitives shared. */
function copyTree(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const n = value.length;
    const copy = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      copy[i] = typeof item === 'object' && item !== null ? copyTree(item) : item;
    }
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const item = source[key];
    const copied = typeof item === 'object' && item !== null ? copyTree(item) : item;
    // A plain assignment to '__proto__' would change the copy's prototype.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, {
        value: copied,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = copied;
    }
  }
  return copy;
}
