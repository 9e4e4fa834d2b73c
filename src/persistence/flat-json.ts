/**
 * A reader for the commonest shape of stored state: a compact JSON object whose values are all
 * strings, numbers, booleans or null. `JSON.parse` has a fixed cost per call that dominates for
 * such short texts (an event's state is often under 100 bytes); reading them here is several
 * times faster. Anything else (whitespace, nested values, escapes) is left to `JSON.parse`.
 */

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const UPPER_E = 69;
const LOWER_E = 101;
const PLUS = 43;
const RIGHT_BRACE = 125;

/**
 * Reads the members of a compact JSON object from `text` at `pos` into `target`, up to the
 * object's closing brace, which must end the text. With `first`, `pos` is just after the
 * opening brace; otherwise it is at the comma (or brace) that follows earlier members.
 *
 * Returns false as soon as the text holds anything this reader does not take (then `target`
 * is partly filled and must be discarded): a nested object or array, whitespace, a key
 * `__proto__` or `_type_` (which need the general path), or invalid JSON. The caller must have
 * checked that the text has no backslash, so no string holds an escape.
 */
export function readFlatMembers(
  text: string,
  pos: number,
  target: Record<string, unknown>,
  first: boolean,
): boolean {
  const last = text.length - 1;
  if (text.charCodeAt(pos) === RIGHT_BRACE) return pos === last;
  if (!first) {
    if (text.charCodeAt(pos) !== COMMA) return false;
    pos++;
  }
  for (;;) {
    if (text.charCodeAt(pos) !== QUOTE) return false;
    const keyEnd = text.indexOf('"', pos + 1);
    if (keyEnd === -1) return false;
    const key = text.slice(pos + 1, keyEnd);
    if (key === '__proto__' || key === '_type_') return false;
    pos = keyEnd + 1;
    if (text.charCodeAt(pos) !== COLON) return false;
    pos++;
    const c = text.charCodeAt(pos);
    if (c === QUOTE) {
      const end = text.indexOf('"', pos + 1);
      if (end === -1) return false;
      target[key] = text.slice(pos + 1, end);
      pos = end + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = numberEnd(text, pos);
      if (end === -1) return false;
      target[key] = Number(text.slice(pos, end));
      pos = end;
    } else if (text.startsWith('true', pos)) {
      target[key] = true;
      pos += 4;
    } else if (text.startsWith('false', pos)) {
      target[key] = false;
      pos += 5;
    } else if (text.startsWith('null', pos)) {
      target[key] = null;
      pos += 4;
    } else {
      return false;
    }
    const next = text.charCodeAt(pos);
    if (next === RIGHT_BRACE) return pos === last;
    if (next !== COMMA) return false;
    pos++;
  }
}

/** Where the JSON number at `pos` ends, or -1 if it is not one (JSON's grammar, exactly). */
function numberEnd(text: string, pos: number): number {
  if (text.charCodeAt(pos) === MINUS) pos++;
  const lead = text.charCodeAt(pos);
  if (lead === ZERO) pos++;
  else if (lead > ZERO && lead <= NINE) pos = digitsEnd(text, pos + 1);
  else return -1;
  if (text.charCodeAt(pos) === DOT) {
    const end = digitsEnd(text, pos + 1);
    if (end === pos + 1) return -1;
    pos = end;
  }
  const e = text.charCodeAt(pos);
  if (e === LOWER_E || e === UPPER_E) {
    pos++;
    const sign = text.charCodeAt(pos);
    if (sign === PLUS || sign === MINUS) pos++;
    const end = digitsEnd(text, pos);
    if (end === pos) return -1;
    pos = end;
  }
  return pos;
}

function digitsEnd(text: string, pos: number): number {
  let c = text.charCodeAt(pos);
  while (c >= ZERO && c <= NINE) c = text.charCodeAt(++pos);
  return pos;
}
