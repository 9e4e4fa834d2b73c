import { ParameterParseError } from './parameter-parse-error.js';

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

const REGEX_PRECEDERS = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';']);

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
export function skipBalanced(src: string, i: number): number {
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
