import { Buffer } from 'node:buffer';
import { fastPathsByDefault } from '../persistence/fast/fast-paths.js';

/**
 * How the PostgreSQL recorders select and read a `state` column: the one place of the adaptive
 * text format, a fast path a reader may skip.
 *
 * The plain path selects the `bytea` as it is (pg sends it as hex and gives a Buffer). The fast
 * path (unless fast paths are off, `EVENTSOURCING_FAST_PATHS=no`) selects it as text in
 * PostgreSQL's escape format: an ASCII state (JSON, mostly) is then sent as itself, half the
 * size of the hex form, and becomes bytes again with one copy (bare pg reading the W1 log:
 * 357,000–599,000 rows/s as `bytea`, 425,000–696,000 in the escape format). States with other
 * bytes come back as octal escapes, slower to undo than hex: once more than a quarter of the
 * states read need that, the column is selected as `bytea` again, for good.
 */
export class StateColumn {
  /** Whether states are selected in the escape format (statements are keyed by it). */
  asText: boolean;
  #reads = 0;
  #escaped = 0;

  constructor(fastPaths: boolean = fastPathsByDefault()) {
    this.asText = fastPaths;
  }

  /** The select-list expression for a state column (`column` names it). */
  select(column = 'state'): string {
    return this.asText ? `encode(${column}, 'escape')` : column;
  }

  /** The bytes of a state column's value, as selected by `select`. */
  bytes(value: unknown): Uint8Array {
    if (typeof value !== 'string') return toBytes(value);
    const reads = ++this.#reads;
    if (value.indexOf('\\') === -1) return Buffer.from(value, 'latin1');
    const escaped = ++this.#escaped;
    if (reads >= 64 && escaped * 4 > reads) this.asText = false;
    return unescapeBytea(value);
  }
}

/**
 * The bytes PostgreSQL's escape format (`encode(bytes, 'escape')`) wrote as `text`: a doubled
 * backslash is one backslash byte, a backslash and three octal digits the byte of that value,
 * and every other character its own byte.
 */
export function unescapeBytea(text: string): Uint8Array {
  const n = text.length;
  const out = Buffer.allocUnsafe(n);
  let length = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== 92) {
      out[length++] = c;
    } else if (text.charCodeAt(i + 1) === 92) {
      out[length++] = 92;
      i++;
    } else {
      out[length++] =
        ((text.charCodeAt(i + 1) - 48) << 6) |
        ((text.charCodeAt(i + 2) - 48) << 3) |
        (text.charCodeAt(i + 3) - 48);
      i += 3;
    }
  }
  return out.subarray(0, length);
}

/** Stored bytes as a `Uint8Array` (`pg` gives a Buffer; null stays empty). */
export function toBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}
