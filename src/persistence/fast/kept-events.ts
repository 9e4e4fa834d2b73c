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
 * What is kept beside one stored event: nothing yet, the form of its decoded event for one
 * reader (`owner`), or that it cannot be kept (`make` false). The form's parts are fields of
 * the slot itself, which saves a read of another object per event.
 */
class KeptSlot {
  /** The mapper that read it (a form is made again for another one). */
  owner: object | null = null;
  /** Whether the owner read it once: a form is made on the second read, not for one-pass reads. */
  readOnce = false;
  /** Makes the event from `proto` and `values`; null: not made yet; false: cannot be kept. */
  make: Maker | false | null = null;
  proto: object | null = null;
  /** Primitives as they are; a Date as its time; a tree of arrays and objects as a private copy. */
  values: readonly unknown[] = [];
}

/** A base class whose constructor returns the object it is given, instead of a new one. */
class ReturnsTarget {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: how a private field is put on a plain object.
    return target;
  }
}

/**
 * Puts a private field holding a slot on a stored event (the base class's constructor returns
 * the event, so the field is added to it). A private field is invisible (to `Object.keys`,
 * `assert.deepStrictEqual`, JSON, spreading), costs about nothing to add (where
 * `Object.defineProperty` of a hidden property costs more than making the event), and is read
 * with one brand check.
 */
class KeptStamp extends ReturnsTarget {
  readonly #slot = new KeptSlot();

  /** The slot put on `stored`, or undefined. */
  static slotOf(stored: object): KeptSlot | undefined {
    return #slot in stored ? stored.#slot : undefined;
  }
}

/**
 * Gives `stored` (an object that the caller then freezes and keeps) a slot for its decoded form.
 * Returns `stored`.
 */
export function keepDecoded<T extends object>(stored: T): T {
  new KeptStamp(stored);
  return stored;
}

/** The slot of a kept stored event, or undefined. */
export function keptSlot(stored: object): KeptSlot | undefined {
  return KeptStamp.slotOf(stored);
}

/**
 * A new domain event made from the form kept in `slot` for `owner` (frozen, as the mapper's
 * events are), or null when there is none yet (or the event cannot be kept).
 */
export function keptEvent(
  slot: KeptSlot,
  owner: object,
  originatorId: string,
  originatorVersion: number,
): object | null {
  const make = slot.make;
  if (make === null || make === false || slot.owner !== owner) return null;
  return make(slot.proto!, originatorId, originatorVersion, slot.values, copyTree);
}

/**
 * The maker of events of one layout: generated code that assigns each field by its name (one
 * inline cache per field, where a loop over the names would store through one megamorphic
 * keyed store: 3× slower), or that loop where code cannot be generated
 * (`--disallow-code-generation-from-strings`). Made once per layout.
 */
function makerFor(keys: readonly string[], kinds: readonly number[]): Maker {
  const layout = JSON.stringify([keys, kinds]);
  let make = makers.get(layout);
  if (make === undefined) {
    make = compileMaker(keys, kinds) ?? loopMaker(keys, kinds);
    if (makers.size < MAX_MAKERS) makers.set(layout, make);
  }
  return make;
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

/**
 * Keeps in `slot` what `event` (just decoded by `owner`) is made of, on the second read by the
 * same owner, when every field is a primitive, a `Date`, or arrays and plain objects of those.
 */
export function rememberDecoded(slot: KeptSlot, owner: object, event: object): void {
  if (slot.owner !== owner) {
    slot.owner = owner;
    slot.make = null;
    slot.readOnce = true;
    return;
  }
  if (slot.make !== null) return;
  if (slot.readOnce === false) {
    slot.readOnce = true;
    return;
  }
  keepForm(slot, event);
}

/** Keeps the form of a decoded event in `slot`, or that it cannot be kept. */
function keepForm(slot: KeptSlot, event: object): void {
  const fields = event as Record<string, unknown>;
  const keys: string[] = [];
  const values: unknown[] = [];
  const kinds: number[] = [];
  for (const key of Object.keys(fields)) {
    if (key === 'originatorId' || key === 'originatorVersion') continue;
    // A field named so was defined, not assigned (see the mapper): not worth keeping.
    if (key === '__proto__') {
      slot.make = false;
      return;
    }
    const value = fields[key];
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
      slot.make = false;
      return;
    }
    keys.push(key);
  }
  slot.proto = Object.getPrototypeOf(event) as object;
  slot.values = values;
  slot.make = makerFor(keys, kinds);
}

/** Deeper trees are decoded every time (the check and the copy recurse). */
const MAX_TREE_DEPTH = 64;

function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
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
      if (!isPrimitive(item) && !isPlainDate(item) && !isTree(item, depth + 1)) return false;
    }
    return true;
  }
  if (proto !== Object.prototype) return false;
  // Only plain data properties: no getters, no symbols, nothing hidden.
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const key of Object.keys(descriptors)) {
    const descriptor = descriptors[key]!;
    if (!descriptor.enumerable || !('value' in descriptor)) return false;
    const item: unknown = descriptor.value;
    if (!isPrimitive(item) && !isPlainDate(item) && !isTree(item, depth + 1)) return false;
  }
  return true;
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
