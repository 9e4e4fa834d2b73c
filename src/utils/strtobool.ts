const TRUE_VALUES = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE_VALUES = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/**
 * Converts a string such as an environment variable's value to a boolean, as Python's
 * `strtobool` does: `y yes t true on 1` are true, `n no f false off 0` are false (any case).
 */
export function strtobool(value: string): boolean {
  if (typeof value !== 'string') {
    throw new TypeError(`Expected a string, got ${typeof value}: ${String(value)}`);
  }
  const lower = value.trim().toLowerCase();
  if (TRUE_VALUES.has(lower)) return true;
  if (FALSE_VALUES.has(lower)) return false;
  throw new RangeError(
    `Invalid truth value ${JSON.stringify(value)}: use one of y, yes, t, true, on, 1 or n, no, f, false, off, 0`,
  );
}
