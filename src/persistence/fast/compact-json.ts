/**
 * A reader for compact JSON (no whitespace, no escapes), the form in which event state is stored,
 * that rebuilds `{"_type_": name, "_data_": data}` values as it goes. For such text it is faster
 * than `JSON.parse` followed by a walk that revives transcoded values: `JSON.parse` has a fixed
 * cost per call that dominates for short texts (most event states are under 100 bytes), and it
 * interns every string of up to ten characters, which dominates for states that hold many short
 * strings (a snapshot of a list of names). Integers are read without making a substring.
 *
 * Anything else (whitespace, a control character, a `__proto__` key, invalid JSON) makes it give
 * up, and the caller falls back to `JSON.parse`, which then also gives the proper error for
 * invalid JSON.
 */

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const UPPER_E = 69;
const UNDERSCORE = 95;
const LEFT_BRACKET = 91;
const RIGHT_BRACKET = 93;
const LOWER_E = 101;
const LEFT_BRACE = 123;
const RIGHT_BRACE = 125;
/** Integers with at most this many digits are exact in a double, whatever the digits. */
const SAFE_DIGITS = 15;
/** `{"_type_":"`: how a transcoded value starts. */
const TYPE_OPENING = '{"_type_":"';
const DATA_KEY = ',"_data_":';
/** Deeper than this is left to `JSON.parse` (which has no recursion limit of ours). */
const MAX_DEPTH = 500;
/** The longest stack of array items a reader keeps between reads. */
const MAX_KEPT_ITEMS = 1 << 16;

/**
 * The reader that reads use, unless one is already using it. Reusing one saves an allocation
 * per read, and keeps the reader's hidden class (V8 map) alive: with no reader left at a full
 * garbage collection V8 would drop that map and the optimised code of every function that
 * creates readers, and reading would run slowly until it is optimised again.
 */
function takeReader(
  text: string,
  revive: Revive,
  reviveString: ReviveString | null,
  checked: boolean,
): Reader {
  const reader = sharedReader.busy ? new Reader(text, revive, reviveString) : sharedReader;
  reader.checkStrings = !checked;
  if (reader !== sharedReader) return reader;
  reader.text = text;
  reader.revive = revive;
  reader.reviveString = reviveString;
  reader.pos = 0;
  reader.busy = true;
  return reader;
}

function releaseReader(reader: Reader): void {
  // The text is dropped, so that a long one is not kept alive.
  reader.text = '';
  if (reader.top !== 0) {
    reader.items.fill(undefined, 0, reader.top);
    reader.top = 0;
  }
  // One very long array read should not keep its length of stack for good.
  if (reader.items.length > MAX_KEPT_ITEMS) reader.items.length = 0;
  reader.busy = false;
}

/**
 * Whether `text` holds a raw control character (U+0000 to U+001F) between `start` and `end`.
 * JSON allows them only escaped inside strings (and tab, line feed and carriage return as
 * whitespace outside, where this reader gives up on any character it does not expect). So the
 * reader checks the strings it slices (keys, values, transcoded names and data), and only
 * those: a text that holds one is left to `JSON.parse`, which rejects it. Checking the few short
 * strings of an event state costs less than one regular-expression scan of the whole text.
 */
function hasControl(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) < 32) return true;
  }
  return false;
}

/**
 * Whether the UTF-8 bytes `data` hold a control character (a byte below 0x20: every byte of a
 * multi-byte sequence is 0x80 or above). Four bytes at a time, with the bit trick that finds a
 * byte below n in a word (exact for n ≤ 128): several times faster than a regular expression
 * over the decoded text, for the long texts of snapshots, where string-by-string checks cost
 * most.
 */
export function holdsControlByte(data: Uint8Array): boolean {
  const n = data.length;
  const offset = data.byteOffset;
  let i = 0;
  const head = Math.min(n, (4 - (offset & 3)) & 3);
  for (; i < head; i++) if (data[i]! < 32) return true;
  const count = (n - i) >>> 2;
  if (count > 0) {
    const words = new Int32Array(data.buffer, offset + i, count);
    let found = 0;
    for (let j = 0; j < count; j++) {
      const x = words[j]!;
      found |= (x - 0x20202020) & ~x;
    }
    // 0x80808080 as a 32-bit integer: the top bit of each byte.
    if ((found & -0x7f7f7f80) !== 0) return true;
    i += count << 2;
  }
  for (; i < n; i++) if (data[i]! < 32) return true;
  return false;
}

/** Returned when the reader gives up. */
const GIVE_UP: unique symbol = Symbol('give up');

/** Rebuilds the value that a transcoding named `name` wrote as `data`. */
export type Revive = (name: string, data: unknown) => unknown;

/**
 * Rebuilds the value that a transcoding named `name` wrote as the string `text.slice(start,
 * end)` (which holds no escape), so that a reviver that can read it in place need not slice it.
 * The string may hold a raw control character, which JSON does not allow: the reviver must then
 * throw (the reader gives up on the text, which is left to `JSON.parse`, which rejects it).
 */
export type ReviveString = (name: string, text: string, start: number, end: number) => unknown;

/**
 * The value of the compact JSON `text` (which must hold no backslash), with every
 * `{"_type_": name, "_data_": data}` object replaced by `revive(name, data)`, innermost first;
 * or `undefined` when the text is not compact JSON this reader takes. Errors thrown by `revive`
 * propagate.
 */
export function readCompactJSON(
  text: string,
  revive: Revive,
  reviveString: ReviveString | null = null,
  checked = false,
): unknown {
  const reader = takeReader(text, revive, reviveString, checked);
  try {
    const value = reader.value(0);
    return value === GIVE_UP || reader.pos !== text.length ? undefined : value;
  } finally {
    releaseReader(reader);
  }
}

/** The name a top-level field is written under, or `null` to leave it out. */
export type FieldName = (key: string) => string | null;

/**
 * Reads the compact JSON object `text` (which must hold no backslash) straight into `target`:
 * each field (its value read as `readCompactJSON` reads it) is assigned to `target` under the
 * name `fieldName(key)` gives, or left out when that is `null`. Returns false when the text is
 * not an object this reader takes, or is a transcoded value (`{"_type_", "_data_"}`); `target`
 * may then hold some of the fields. Errors thrown by the revivers propagate.
 */
export function readCompactFields(
  text: string,
  revive: Revive,
  reviveString: ReviveString | null,
  target: Record<string, unknown>,
  fieldName: FieldName,
  memo: ShapeMemo | null = null,
  checked = false,
): boolean {
  if (text.charCodeAt(0) !== LEFT_BRACE) return false;
  const reader = takeReader(text, revive, reviveString, checked);
  try {
    if (memo !== null) {
      const shape = memo.shape;
      // The fields the shape wrote before a mismatch are a prefix of the text's, in order:
      // the general reader writes them again, in the same order.
      if (shape !== undefined && shape !== null && reader.readShape(shape, target)) return true;
      if (shape === undefined) memo.shape = reader.learnShape(fieldName);
      reader.pos = 0;
    }
    return reader.object(0, target, fieldName) !== GIVE_UP && reader.pos === text.length;
  } finally {
    releaseReader(reader);
  }
}

/**
 * Where a caller keeps what the reader learned about objects of one kind (the mapper keeps one
 * per event class): the literal text around their top-level values, which then lets the reader
 * check the text between values with one comparison each instead of reading it key by key.
 */
export interface ShapeMemo {
  /** Not learned yet (`undefined`), learned, or `null` for objects the reader does not shape. */
  shape?: Shape | null;
}

/** A value read as a string (`"…"`), as transcoded string data, or by the general reader. */
const STRING_VALUE = 0;
const REVIVED_STRING_VALUE = 1;
const OTHER_VALUE = 2;

/**
 * The top-level shape of an object: `literals[i]` is the text before value `i` (from the end of
 * the previous value, with keys, quotes and a transcoded value's opening), `literals[n]` the text
 * after the last; how each value is read; the field each goes to (null: left out); and the
 * transcoding name of each revived string.
 */
export interface Shape {
  readonly literals: readonly string[];
  readonly kinds: readonly number[];
  readonly names: readonly (string | null)[];
  readonly reviveNames: readonly string[];
  /** `readShape` for this shape alone, as generated code; null where code cannot be generated. */
  readonly compiled: CompiledShape | null;
}

/** Reads text of one shape into `target` (see `Reader.readShape`). */
type CompiledShape = (reader: Reader, text: string, target: Record<string, unknown>) => boolean;

class Reader {
  pos = 0;
  /**
   * The items of the arrays being read, innermost last, from `0` to `top`. An array that gives
   * up or throws leaves its items here until the reader is released.
   */
  readonly items: unknown[] = [];
  top = 0;
  /** Whether a read is using this reader (a reviver may start another read). */
  busy = false;
  /** Whether strings are checked for control characters as they are read (see `takeReader`). */
  checkStrings = true;

  /**
   * `reviveString(name, text, start, end)`, or GIVE_UP when it throws for a string that holds
   * a control character. Such strings are not checked before: the common reviver (of dates)
   * accepts nothing but digits and a few signs, so it rejects them itself, and a string that it
   * accepts costs no check; a reviver that would accept any character must check (as
   * `JSONTranscoder`'s does) and throw.
   */
  reviveStringAt(name: string, text: string, start: number, end: number): unknown {
    if (!this.checkStrings) return this.reviveString!(name, text, start, end);
    try {
      return this.reviveString!(name, text, start, end);
    } catch (error) {
      if (hasControl(text, start, end)) return GIVE_UP;
      throw error;
    }
  }

  /** Whether a string being read holds a control character (false when the text was checked). */
  hasControl(text: string, start: number, end: number): boolean {
    return this.checkStrings && hasControl(text, start, end);
  }

  constructor(
    public text: string,
    public revive: Revive,
    public reviveString: ReviveString | null,
  ) {}

  value(depth: number): unknown {
    const text = this.text;
    const pos = this.pos;
    const c = text.charCodeAt(pos);
    if (c === QUOTE) {
      const end = text.indexOf('"', pos + 1);
      if (end === -1 || this.hasControl(text, pos + 1, end)) return GIVE_UP;
      this.pos = end + 1;
      return text.slice(pos + 1, end);
    }
    if (c === LEFT_BRACE) {
      if (depth > MAX_DEPTH) return GIVE_UP;
      // `{"_…`: perhaps a transcoded value; anything else is an object.
      return text.charCodeAt(pos + 2) === UNDERSCORE && holdsAt(text, pos, TYPE_OPENING)
        ? this.transcoded(depth)
        : this.object(depth);
    }
    if (c === LEFT_BRACKET) return depth > MAX_DEPTH ? GIVE_UP : this.array(depth);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number();
    if (text.startsWith('true', pos)) {
      this.pos = pos + 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      this.pos = pos + 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      this.pos = pos + 4;
      return null;
    }
    return GIVE_UP;
  }

  /**
   * Reads the top-level fields of the text (at position 0) by `shape` into `target`; false as
   * soon as the text differs from the shape (some fields may have been written).
   */
  readShape(shape: Shape, target: Record<string, unknown>): boolean {
    const text = this.text;
    if (shape.compiled !== null) return shape.compiled(this, text, target);
    const { literals, kinds, names } = shape;
    const n = kinds.length;
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const literal = literals[i]!;
      if (!text.startsWith(literal, pos)) return false;
      pos += literal.length;
      const kind = kinds[i];
      let value: unknown;
      if (kind === OTHER_VALUE) {
        this.pos = pos;
        value = this.value(1);
        if (value === GIVE_UP) return false;
        pos = this.pos;
      } else {
        // The literal holds the opening quote, and the next one the closing quote.
        const end = text.indexOf('"', pos);
        if (end === -1) return false;
        if (kind === STRING_VALUE) {
          if (this.hasControl(text, pos, end)) return false;
          value = text.slice(pos, end);
        } else {
          value = this.reviveStringAt(shape.reviveNames[i]!, text, pos, end);
          if (value === GIVE_UP) return false;
        }
        pos = end;
      }
      const name = names[i];
      if (name !== null && name !== undefined) target[name] = value;
    }
    const last = literals[n]!;
    return pos + last.length === text.length && text.startsWith(last, pos);
  }

  /**
   * The shape of the object text (at position 0), or null when it is not one worth shaping:
   * empty, a `_type_`/`_data_` pair, a `__proto__` key, or text the reader gives up on.
   */
  learnShape(fieldName: FieldName): Shape | null {
    const text = this.text;
    const literals: string[] = [];
    const kinds: number[] = [];
    const names: (string | null)[] = [];
    const reviveNames: string[] = [];
    let literalStart = 0;
    let pos = 1;
    if (text.charCodeAt(pos) === RIGHT_BRACE) return null;
    for (;;) {
      if (text.charCodeAt(pos) !== QUOTE) return null;
      const keyEnd = text.indexOf('"', pos + 1);
      if (keyEnd === -1 || text.charCodeAt(keyEnd + 1) !== COLON) return null;
      if (this.hasControl(text, pos + 1, keyEnd)) return null;
      const key = text.slice(pos + 1, keyEnd);
      if (key === '__proto__' || key === '_type_' || key === '_data_') return null;
      const at = keyEnd + 2;
      let kind = OTHER_VALUE;
      let reviveName = '';
      let valueStart = at;
      let valueEnd = -1;
      if (text.charCodeAt(at) === QUOTE) {
        kind = STRING_VALUE;
        valueStart = at + 1;
        valueEnd = text.indexOf('"', valueStart);
        if (valueEnd === -1 || this.hasControl(text, valueStart, valueEnd)) return null;
        pos = valueEnd + 1;
      } else if (this.reviveString !== null && holdsAt(text, at, TYPE_OPENING)) {
        const nameStart = at + TYPE_OPENING.length;
        const nameEnd = text.indexOf('"', nameStart);
        const dataStart = nameEnd + 1 + DATA_KEY.length;
        if (
          nameEnd !== -1 &&
          holdsAt(text, nameEnd + 1, DATA_KEY) &&
          text.charCodeAt(dataStart) === QUOTE
        ) {
          valueEnd = text.indexOf('"', dataStart + 1);
          if (
            valueEnd !== -1 &&
            text.charCodeAt(valueEnd + 1) === RIGHT_BRACE &&
            !this.hasControl(text, nameStart, nameEnd) &&
            !this.hasControl(text, dataStart + 1, valueEnd)
          ) {
            kind = REVIVED_STRING_VALUE;
            reviveName = text.slice(nameStart, nameEnd);
            valueStart = dataStart + 1;
            pos = valueEnd + 2;
          }
        }
      }
      if (kind === OTHER_VALUE) {
        this.pos = at;
        if (this.value(1) === GIVE_UP) return null;
        pos = this.pos;
        valueEnd = pos;
      }
      literals.push(flat(text.slice(literalStart, valueStart)));
      kinds.push(kind);
      names.push(fieldName(key));
      reviveNames.push(reviveName);
      // A string's closing quote (and a transcoded value's `}`) begin the next literal.
      literalStart = valueEnd;
      const next = text.charCodeAt(pos);
      if (next === RIGHT_BRACE && pos + 1 === text.length) break;
      if (next !== COMMA) return null;
      pos++;
    }
    literals.push(flat(text.slice(literalStart)));
    return {
      literals,
      kinds,
      names,
      reviveNames,
      compiled: compileShape(literals, kinds, names, reviveNames),
    };
  }

  /** `{"_type_":"name","_data_":data}`, revived; any other object starting so, as an object. */
  transcoded(depth: number): unknown {
    const text = this.text;
    const start = this.pos;
    const nameStart = start + TYPE_OPENING.length;
    // Values read together mostly share their transcoding: try the last name first.
    let name = lastName;
    let nameEnd = nameStart + name.length;
    if (text.charCodeAt(nameEnd) !== QUOTE || !holdsAt(text, nameStart, name)) {
      nameEnd = text.indexOf('"', nameStart);
      const read = nameEnd === -1 ? '' : readKey(text, nameStart, nameEnd, this.checkStrings);
      if (read === null) return GIVE_UP;
      name = read;
      lastName = name;
    }
    if (nameEnd !== -1 && holdsAt(text, nameEnd + 1, DATA_KEY)) {
      const dataStart = nameEnd + 1 + DATA_KEY.length;
      if (this.reviveString !== null && text.charCodeAt(dataStart) === QUOTE) {
        // String data (a timestamp, mostly) is handed over where it stands.
        const dataEnd = text.indexOf('"', dataStart + 1);
        if (dataEnd !== -1 && text.charCodeAt(dataEnd + 1) === RIGHT_BRACE) {
          this.pos = dataEnd + 2;
          return this.reviveStringAt(name, text, dataStart + 1, dataEnd);
        }
      }
      this.pos = dataStart;
      const data = this.value(depth + 1);
      if (data === GIVE_UP) return GIVE_UP;
      if (text.charCodeAt(this.pos) === RIGHT_BRACE) {
        this.pos++;
        return this.revive(name, data);
      }
    }
    this.pos = start;
    return this.object(depth);
  }

  /** An object: a new one, or, with `fieldName`, the fields written into `result`. */
  object(
    depth: number,
    result: Record<string, unknown> = {},
    fieldName: FieldName | null = null,
  ): unknown {
    const text = this.text;
    let pos = this.pos + 1;
    let count = 0;
    if (text.charCodeAt(pos) === RIGHT_BRACE) {
      this.pos = pos + 1;
      return result;
    }
    // Which of `_type_` (1) and `_data_` (2) the keys include.
    let wrapperKeys = 0;
    for (;;) {
      if (text.charCodeAt(pos) !== QUOTE) return GIVE_UP;
      // Objects of a kind repeat their keys in order: try the key last seen in this place.
      const slot = ((depth > 3 ? 3 : depth) << 3) | (count & 7);
      let raw = keysByPlace[slot]!;
      let keyEnd = pos + 1 + raw.length;
      if (raw.length === 0 || text.charCodeAt(keyEnd) !== QUOTE || !holdsAt(text, pos + 1, raw)) {
        keyEnd = text.indexOf('"', pos + 1);
        if (keyEnd === -1) return GIVE_UP;
        const read = readKey(text, pos + 1, keyEnd, this.checkStrings);
        if (read === null) return GIVE_UP;
        raw = read;
        keysByPlace[slot] = raw;
      }
      if (text.charCodeAt(keyEnd + 1) !== COLON || raw === '__proto__') return GIVE_UP;
      if (raw.length === 6) {
        if (raw === '_type_') wrapperKeys |= 1;
        else if (raw === '_data_') wrapperKeys |= 2;
      }
      const key = fieldName === null ? raw : fieldName(raw);
      const at = keyEnd + 2;
      if (text.charCodeAt(at) === QUOTE) {
        // Most values are strings: read them here rather than through value().
        const end = text.indexOf('"', at + 1);
        if (end === -1 || this.hasControl(text, at + 1, end)) return GIVE_UP;
        if (key !== null) result[key] = text.slice(at + 1, end);
        pos = end + 1;
      } else {
        this.pos = at;
        const value = this.value(depth + 1);
        if (value === GIVE_UP) return GIVE_UP;
        if (key !== null) result[key] = value;
        pos = this.pos;
      }
      count++;
      const next = text.charCodeAt(pos);
      if (next === RIGHT_BRACE) break;
      if (next !== COMMA) return GIVE_UP;
      pos++;
    }
    this.pos = pos + 1;
    // A `_type_`/`_data_` pair that did not come first and in that order is still transcoded.
    if (count === 2 && wrapperKeys === 3) {
      const name = result._type_;
      // Fields written into a target were meant to be an object's: leave this to the caller.
      if (fieldName !== null) return GIVE_UP;
      return typeof name === 'string' ? this.revive(name, result._data_) : GIVE_UP;
    }
    return result;
  }

  array(depth: number): unknown {
    const text = this.text;
    let pos = this.pos + 1;
    if (text.charCodeAt(pos) === RIGHT_BRACKET) {
      this.pos = pos + 1;
      return [];
    }
    // Items go on the reader's stack (a nested array's above them) and are copied out once:
    // cheaper than growing the result one push at a time.
    const items = this.items;
    const base = this.top;
    let top = base;
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        // Most items are strings (a list of names): read them here rather than through value().
        const end = text.indexOf('"', pos + 1);
        if (end === -1 || this.hasControl(text, pos + 1, end)) break;
        items[top++] = text.slice(pos + 1, end);
        pos = end + 1;
      } else {
        this.pos = pos;
        this.top = top;
        const value = this.value(depth + 1);
        if (value === GIVE_UP) break;
        items[top++] = value;
        pos = this.pos;
      }
      const next = text.charCodeAt(pos);
      if (next === COMMA) {
        pos++;
      } else {
        if (next !== RIGHT_BRACKET) break;
        this.pos = pos + 1;
        const result = items.slice(base, top);
        // The stack must not keep what it held alive.
        items.fill(undefined, base, top);
        this.top = base;
        return result;
      }
    }
    // Given up: the reader clears the stack when it is released.
    this.top = top;
    return GIVE_UP;
  }

  /** A JSON number, exactly as its grammar says; integers of up to 15 digits without a substring. */
  number(): unknown {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let negative = false;
    if (text.charCodeAt(pos) === MINUS) {
      negative = true;
      pos++;
    }
    const lead = text.charCodeAt(pos);
    let integer = 0;
    if (lead === ZERO) {
      pos++;
    } else if (lead > ZERO && lead <= NINE) {
      let c = lead;
      while (c >= ZERO && c <= NINE) {
        integer = integer * 10 + (c - ZERO);
        c = text.charCodeAt(++pos);
      }
    } else {
      return GIVE_UP;
    }
    const digitsEnd = pos;
    let c = text.charCodeAt(pos);
    if (c === DOT) {
      const end = digitsEndAt(text, pos + 1);
      if (end === pos + 1) return GIVE_UP;
      pos = end;
      c = text.charCodeAt(pos);
    }
    if (c === LOWER_E || c === UPPER_E) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === 43 || sign === MINUS) pos++;
      const end = digitsEndAt(text, pos);
      if (end === pos) return GIVE_UP;
      pos = end;
    }
    this.pos = pos;
    if (pos === digitsEnd && digitsEnd - start - (negative ? 1 : 0) <= SAFE_DIGITS) {
      // -0 as JSON.parse reads it.
      return negative ? -integer : integer;
    }
    return Number(text.slice(start, pos));
  }
}

/**
 * `Reader.readShape` specialised to one shape, as generated code: the literals and field names
 * become constants, so each field is a named store with its own inline cache, where the general
 * `readShape` stores every field of every event class through one keyed store. The text of
 * keys, literals and names is written with `JSON.stringify`, so it is never read as code. Null
 * when generating code is not allowed (`--disallow-code-generation-from-strings`): the general
 * `readShape` then reads the shape.
 */
function compileShape(
  literals: Shape['literals'],
  kinds: Shape['kinds'],
  names: Shape['names'],
  reviveNames: Shape['reviveNames'],
): CompiledShape | null {
  const lines = ['let pos = 0;', 'let end = 0;', 'let value;'];
  for (let i = 0; i < kinds.length; i++) {
    const literal = literals[i]!;
    lines.push(`if (!${literalAt(literal)}) return false;`, `pos += ${literal.length};`);
    if (kinds[i] === OTHER_VALUE) {
      lines.push(
        'reader.pos = pos;',
        'value = reader.value(1);',
        'if (value === GIVE_UP) return false;',
        'pos = reader.pos;',
      );
    } else {
      lines.push("end = text.indexOf('\"', pos);", 'if (end === -1) return false;');
      lines.push(
        ...(kinds[i] === STRING_VALUE
          ? [
              'if (reader.hasControl(text, pos, end)) return false;',
              'value = text.slice(pos, end);',
            ]
          : [
              `value = reader.reviveStringAt(${JSON.stringify(reviveNames[i])}, text, pos, end);`,
              'if (value === GIVE_UP) return false;',
            ]),
        'pos = end;',
      );
    }
    const name = names[i];
    if (name !== null && name !== undefined) lines.push(`target[${JSON.stringify(name)}] = value;`);
  }
  const last = literals[kinds.length]!;
  lines.push(`return pos + ${last.length} === text.length && ${literalAt(last)};`);
  try {
    const make = new Function(
      'GIVE_UP',
      `return function readShape(reader, text, target) {\n${lines.join('\n')}\n};`,
    ) as (giveUp: typeof GIVE_UP) => CompiledShape;
    return make(GIVE_UP);
  } catch {
    return null;
  }
}

/** Code that says whether `text` holds `literal` at `pos`. */
function literalAt(literal: string): string {
  const quoted = JSON.stringify(literal);
  // A slice of 13 characters or more is a view in V8, and comparing it with the literal is
  // several times faster than startsWith for the long literals that open a state.
  return literal.length >= 13
    ? `(text.slice(pos, pos + ${literal.length}) === ${quoted})`
    : `text.startsWith(${quoted}, pos)`;
}

const sharedReader = new Reader('', () => undefined, null);

// The transcoding name last read.
let lastName = '';

// The key last read in each place: (depth up to 3) × (field index modulo 8).
const keysByPlace: string[] = new Array(32).fill('');

// The same keys (and transcoding names) recur in every state of a kind: the last key of each
// length is remembered, and reused when the text holds it again, which saves making (and
// interning) a new string each time.
const recentKeys: string[] = new Array(32).fill('');

/** The key between `start` and `end` (its closing quote); null when it holds a control character. */
function readKey(text: string, start: number, end: number, check: boolean): string | null {
  const length = end - start;
  const slot = length & 31;
  const recent = recentKeys[slot]!;
  if (recent.length === length && holdsAt(text, start, recent)) return recent;
  // A key is remembered only once checked, so a reused one needs no check.
  if (check && hasControl(text, start, end)) return null;
  const key = text.slice(start, end);
  recentKeys[slot] = key;
  return key;
}

/** Whether `text` holds `part` at `start` (for short parts, cheaper than `startsWith`). */
function holdsAt(text: string, start: number, part: string): boolean {
  const n = part.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(start + i) !== part.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A copy of `part` that stands alone: a long slice of a text stays a view of the whole text in
 * V8, which keeps the text alive and is slower to compare against.
 */
function flat(part: string): string {
  return JSON.parse(JSON.stringify(part)) as string;
}

function digitsEndAt(text: string, pos: number): number {
  let c = text.charCodeAt(pos);
  while (c >= ZERO && c <= NINE) c = text.charCodeAt(++pos);
  return pos;
}
