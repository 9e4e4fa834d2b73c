/**
 * Reads parameter names from a function's or class's source text (`Function.prototype.toString`),
 * once per class, when a decorator runs. Event fields are named after parameters, as in Python.
 * Type annotations are gone from compiled source, so only names, defaults and punctuation remain.
 */

import { ParameterParseError } from './parameter-parse-error.js';
import { skipBalanced, skipLiteral } from './skip-literal.js';

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/u;

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
