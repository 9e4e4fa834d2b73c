import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments with `util.parseArgs` (strict: an unknown option is an error),
 * checking the number of positional arguments.
 *
 * @throws UsageError saying what was wrong.
 * @internal
 */
export function parseCommandArgs<const O extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: O,
  positionals: { readonly names: readonly string[]; readonly required: number } = {
    names: [],
    required: 0,
  },
): {
  values: ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
  positionals: string[];
} {
  let parsed: {
    values: ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as { help?: boolean }).help === true) return parsed;
  const given = parsed.positionals.length;
  if (given < positionals.required) {
    const missing = positionals.names.slice(given, positionals.required).map((n) => `<${n}>`);
    throw new UsageError(`${command} needs ${missing.join(' ')}.`);
  }
  if (given > positionals.names.length) {
    const extra = parsed.positionals.slice(positionals.names.length);
    throw new UsageError(
      `${command} takes ${
        positionals.names.length === 0
          ? 'no arguments'
          : positionals.names.map((n) => `<${n}>`).join(' ')
      }, but was also given: ${extra.join(' ')}.`,
    );
  }
  return parsed;
}

/**
 * The value of an option that takes a whole number at least `min`, or undefined when it was
 * not given.
 *
 * @throws UsageError for anything else.
 * @internal
 */
export function integerOption(
  name: string,
  value: string | undefined,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`--${name} needs a whole number of at least ${min}, got '${value}'.`);
  }
  return number;
}

/**
 * The value of an option that takes a number of seconds (a decimal at least 0), or undefined.
 *
 * @throws UsageError for anything else.
 * @internal
 */
export function secondsOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) {
    throw new UsageError(
      `--${name} needs a number of seconds (such as 30 or 0.5), got '${value}'.`,
    );
  }
  return number;
}

/**
 * The names of a repeatable option, each value split at commas (`--topics a,b --topics c`).
 *
 * @internal
 */
export function listOption(values: string | readonly string[] | undefined): string[] {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  return list
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}
