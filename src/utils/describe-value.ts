/**
 * Describes a value for an error message, briefly and without printing its contents: strings
 * quoted, numbers and booleans as they are, `5n` for bigints, `class Dog` or `function f` for
 * functions, and `a Dog` (the class name) for objects. Used by argument checks on every layer.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') {
    const kind = Function.prototype.toString.call(value).startsWith('class') ? 'class' : 'function';
    return `${kind} ${value.name || '(anonymous)'}`;
  }
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name !== 'string' || name === '') return 'an object';
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return `a ${typeof value}`;
}
