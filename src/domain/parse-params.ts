/**
 * Reads parameter names from a function's or class's source text (`Function.prototype.toString`),
 * once per class, when a decorator runs. Event fields are named after parameters, as in Python.
 * Type annotations are gone from compiled source, so only names, defaults and punctuation remain.
 */

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/u;
const REGEX_PRECEDERS = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';']);

/** Why parameter names could not be read. */
export class ParameterParseError extends Error {}

/** Index just past a string or template literal starting at `i` (the quote). */
function skipString(src: string, i: number): number {
  const quote = src[i];
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === quote) return j + 1;
    if (quote === '`' && c === '$' && src[j + 1] === '{') {
      j = skipBalanced(src, j + 1);
      continue;
    }
    j++;
  }
  throw new ParameterParseError('unterminated string');
}

/** Index just past a regular expression literal starting at `i` (the slash). */
function skipRegex(src: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') j += 2;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) return j + 1;
      else if (c === '\n') break;
      j++;
    }
  }
  throw new ParameterParseError('unterminated regular expression');
}

/**
 * If a comment, string, template or regex starts at `i`, the index just past it; else -1.
 * `prev` is the previous significant character (to tell a regex from a division).
 */
export function skipLiteral(src: string, i: number, prev: string): number {
  const c = src[i];
  if (c === '"' || c === "'" || c === '`') return skipString(src, i);
  if (c === '/') {
    const next = src[i + 1];
    if (next === '/') {
      const end = src.indexOf('\n', i);
      return end === -1 ? src.length : end + 1;
    }
    if (next === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) throw new ParameterParseError('unterminated comment');
      return end + 2;
    }
    if (REGEX_PRECEDERS.has(prev)) return skipRegex(src, i);
  }
  return -1;
}

/** Index just past the bracketed group opening at `i`. */
function skipBalanced(src: string, i: number): number {
  let depth = 0;
  let prev = '';
  let j = i;
  while (j < src.length) {
    const skipped = skipLiteral(src, j, prev);
    if (skipped !== -1) {
      j = skipped;
      continue;
    }
    const c = src[j] as string;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return j + 1;
    }
    if (!/\s/.test(c)) prev = c;
    j++;
  }
  throw new ParameterParseError('unbalanced brackets');
}

/** Reads the parameter list whose `(` is at `open`; returns the names and the index after `)`. */
function readParameterList(src: string, open: number): { names: string[]; end: number } {
  const names: string[] = [];
  let segment = '';
  let depth = 0;
  let prev = '(';
  let j = open + 1;
  const finish = () => {
    const text = segment.trim();
    segment = '';
    if (text === '') return;
    if (text.startsWith('...')) throw new ParameterParseError('a rest parameter');
    if (text.startsWith('{') || text.startsWith('[')) {
      throw new ParameterParseError('a destructured parameter');
    }
    const match = IDENTIFIER.exec(text);
    if (match === null) throw new ParameterParseError(`an unreadable parameter '${text}'`);
    const rest = text.slice(match[0].length).trim();
    if (rest !== '' && !rest.startsWith('=')) {
      throw new ParameterParseError(`an unreadable parameter '${text}'`);
    }
    names.push(match[0]);
  };
  while (j < src.length) {
    const skipped = skipLiteral(src, j, prev);
    if (skipped !== -1) {
      // Comments vanish; literals (in default values) are kept as text.
      const c = src[j];
      if (!(c === '/' && (src[j + 1] === '/' || src[j + 1] === '*'))) {
        segment += src.slice(j, skipped);
        prev = 'x';
      } else segment += ' ';
      j = skipped;
      continue;
    }
    const c = src[j] as string;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        finish();
        return { names, end: j + 1 };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      finish();
      prev = ',';
      j++;
      continue;
    }
    segment += c;
    if (!/\s/.test(c)) prev = c;
    j++;
  }
  throw new ParameterParseError('an unterminated parameter list');
}

function checkReadable(src: string): void {
  if (src.includes('[native code]')) {
    throw new ParameterParseError('native or bound function (its source is not available)');
  }
}

/** Parameter names of a method, setter or function, from its source text. */
export function parseFunctionParameters(fn: (...args: never[]) => unknown): string[] {
  const src = Function.prototype.toString.call(fn);
  checkReadable(src);
  let prev = '';
  let j = 0;
  while (j < src.length) {
    const skipped = skipLiteral(src, j, prev);
    if (skipped !== -1) {
      j = skipped;
      continue;
    }
    const c = src[j] as string;
    if (c === '(') return readParameterList(src, j).names;
    if (c === '[') {
      // A computed method name.
      j = skipBalanced(src, j);
      prev = ']';
      continue;
    }
    if (c === '=' && src[j + 1] === '>') {
      // An arrow function with a single unparenthesised parameter: `x => ...`.
      const match = IDENTIFIER.exec(src.slice(0, j).trim().split(/\s+/).pop() ?? '');
      if (match !== null) return [match[0]];
      break;
    }
    if (!/\s/.test(c)) prev = c;
    j++;
  }
  throw new ParameterParseError('no parameter list found');
}

/**
 * Parameter names of a class's own constructor, or `undefined` when the class has none (or only
 * one that a compiler made up, which just passes its arguments on with `super(...arguments)`).
 */
export function parseConstructorParameters(
  cls: abstract new (...args: never[]) => unknown,
): string[] | undefined {
  const src = Function.prototype.toString.call(cls);
  checkReadable(src);
  if (!/^class\b/.test(src)) throw new ParameterParseError('not class syntax');
  // Find the class body: the first `{` outside brackets after the heritage clause.
  let prev = '';
  let j = 5;
  while (j < src.length && src[j] !== '{') {
    const skipped = skipLiteral(src, j, prev);
    if (skipped !== -1) {
      j = skipped;
      continue;
    }
    const c = src[j] as string;
    if (c === '(' || c === '[') {
      j = skipBalanced(src, j);
      prev = ')';
      continue;
    }
    if (!/\s/.test(c)) prev = c;
    j++;
  }
  j++;
  // Scan the body's top level for the `constructor` member.
  let depth = 0;
  prev = '{';
  let lastWord = '';
  while (j < src.length) {
    const skipped = skipLiteral(src, j, prev);
    if (skipped !== -1) {
      j = skipped;
      prev = 'x';
      continue;
    }
    const c = src[j] as string;
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      if (depth === 0) return undefined;
      depth--;
    } else if (depth === 0 && /[\p{ID_Start}$_]/u.test(c)) {
      const match = IDENTIFIER.exec(src.slice(j, j + 200));
      const word = match?.[0] ?? c;
      const after = src.slice(j + word.length).trimStart();
      if (
        word === 'constructor' &&
        prev !== '.' &&
        lastWord !== 'static' &&
        after.startsWith('(')
      ) {
        const open = src.indexOf('(', j + word.length);
        const { names, end } = readParameterList(src, open);
        if (names.length === 0 && /^\s*\{\s*super\(\s*\.\.\.arguments\s*\)/.test(src.slice(end))) {
          return undefined;
        }
        return names;
      }
      lastWord = word;
      prev = 'x';
      j += word.length;
      continue;
    }
    if (!/\s/.test(c)) {
      prev = c;
      lastWord = '';
    }
    j++;
  }
  throw new ParameterParseError('unterminated class body');
}
