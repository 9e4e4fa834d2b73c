/**
 * Detects names that a minifier chose. Event fields, topics and application names are stored,
 * so a name a minifier renamed (`{"e":"Fido"}` instead of `{"name":"Fido"}`) would corrupt data
 * silently. A name is taken as mangled when it is at most two characters long and its class's
 * code was minified with identifiers renamed. tsx prints compact code too (without renaming),
 * so compactness alone is not enough: the class's `extends` clause tells, since written code
 * names the base class (`extends Aggregate`) where a minifier writes `extends J`.
 */
import { skipLiteral } from './skip-literal.js';

const WORD = /[\p{ID_Continue}$\u200c\u200d]/u;
const minifiedCache = new WeakMap<object, boolean>();

/**
 * Whether source text looks minified: outside strings, templates and regular expressions there
 * is no newline, tab or comment, and every space stands between two identifier characters
 * (`class t extends J{`), where the language needs one.
 */
export function isCompactSource(src: string): boolean {
  let prev = '';
  let j = 0;
  while (j < src.length) {
    const c = src[j] as string;
    if (c === '/' && (src[j + 1] === '/' || src[j + 1] === '*')) return false;
    const skipped = skipLiteral(src, j, prev);
    if (skipped !== -1) {
      j = skipped;
      prev = 'x';
      continue;
    }
    if (c === ' ') {
      const before = src[j - 1] ?? '';
      const after = src[j + 1] ?? '';
      // `a- -b` and `a+ +b` need their space too.
      const signs = before === after && (before === '+' || before === '-');
      if (!signs && (!WORD.test(before) || !WORD.test(after))) return false;
    } else if (/\s/.test(c)) return false;
    else prev = c;
    j++;
  }
  return true;
}

/** Whether a function's or class's source text looks minified (remembered per function). */
function hasCompactSource(fn: object): boolean {
  let src: string;
  try {
    src = Function.prototype.toString.call(fn);
    return !src.includes('[native code]') && isCompactSource(src);
  } catch {
    // Unreadable source: parse errors are reported where the names are parsed.
    return false;
  }
}

/**
 * The identifiers (not property names) of a class's `extends` clause, or `undefined` when the
 * class has none or its source is not class syntax.
 */
function heritageIdentifiers(src: string): string[] | undefined {
  const head = /^class\b[^{]*?\bextends\b/u.exec(src);
  if (head === null) return undefined;
  let j = head[0].length;
  let depth = 0;
  let clause = '';
  while (j < src.length) {
    const c = src[j] as string;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '{' && depth === 0) break;
    clause += c;
    j++;
  }
  // Strings and object keys are not names a minifier chose (`[event("TrickAdded")]`).
  const code = clause.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  const names: string[] = [];
  for (const match of code.matchAll(/(\.\s*)?([\p{ID_Start}$_][\p{ID_Continue}$]*)(\s*:)?/gu)) {
    if (match[1] === undefined && match[3] === undefined) names.push(match[2] as string);
  }
  return names;
}

/**
 * Whether a class's code was minified with identifiers renamed: its source is compact (as tsx's
 * output is too) and the class it extends is named by renamed identifiers (`extends J`,
 * `extends(yr=k)`) where written code names it (`extends Aggregate`). Remembered per class.
 */
export function isMinifiedClass(cls: object): boolean {
  let minified = minifiedCache.get(cls);
  if (minified === undefined) {
    minified = false;
    if (hasCompactSource(cls)) {
      const heritage = heritageIdentifiers(Function.prototype.toString.call(cls));
      minified = heritage !== undefined && heritage.length > 0 && heritage.every(isShort);
    }
    minifiedCache.set(cls, minified);
  }
  return minified;
}

function isShort(name: string): boolean {
  return name.length <= 2;
}

/**
 * Whether the name of class `cls` looks chosen by a minifier: short, in minified code, and not
 * set by esbuild's `--keep-names` (which adds `static{name(this,"Dog")}` to the class).
 */
export function classNameLooksMangled(name: string, cls: object): boolean {
  if (!isShort(name) || !isMinifiedClass(cls)) return false;
  return !Function.prototype.toString.call(cls).includes(`(this,${JSON.stringify(name)})`);
}

/** Whether parameter names (of a constructor or method of `cls`) look chosen by a minifier. */
export function parametersLookMangled(names: readonly string[], cls: object): boolean {
  return names.length > 0 && names.every(isShort) && isMinifiedClass(cls);
}
/** What to do about mangled names, for error messages. */
export const KEEP_NAMES_ADVICE =
  'A minifier renamed it (a bundle built with esbuild --minify, terser or webpack?). ' +
  'Stored names must not change between builds: state them explicitly (see docs/bundling.md), ' +
  'or keep names in the build (esbuild --keep-names; terser keep_classnames and keep_fnames). ' +
  'Keeping names does not keep parameter names, so minified builds need explicit field names ' +
  'or explicit event classes.';
