import { type InspectOptions, inspect } from 'node:util';

/** What a redacted secret is shown as. */
export const REDACTED = '[redacted]';

const SECRET_KEY = /(?:KEY|PASSWORD|SECRET|TOKEN)$/i;

/**
 * Whether an environment key holds a secret, by its name: keys ending in `KEY`, `PASSWORD`,
 * `SECRET` or `TOKEN` (`CIPHER_KEY`, `POSTGRES_PASSWORD`, `BANK_API_TOKEN`, …).
 */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A URL with the password of its user info replaced by `***`. The user info ends at the last
 * `@`, so a password holding an unencoded `@` is hidden whole. Text with an `@` but no `//` is
 * hidden up to that `@`.
 */
export function redactUrl(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const slashes = url.indexOf('//');
  if (slashes < 0 || slashes > at) return `***${url.slice(at)}`;
  const userInfo = url.slice(slashes + 2, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return url;
  return `${url.slice(0, slashes + 2)}${userInfo.slice(0, colon)}:***${url.slice(at)}`;
}

/** Whether a value looks like a URL that may carry a password (`scheme://user:pass@…`). */
function looksLikeUrlWithUserInfo(value: string): boolean {
  return value.includes('@') && value.includes('://');
}

/**
 * A copy of environment variables fit to print: secret keys (`isSecretKey`) show `[redacted]`,
 * and passwords in URLs (`POSTGRES_URL`, `DATABASE_URL`, …) show `***`.
 */
export function redactVars(vars: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const key of Object.keys(vars)) {
    const value = vars[key]!;
    if (isSecretKey(key)) copy[key] = REDACTED;
    else if (looksLikeUrlWithUserInfo(value)) copy[key] = redactUrl(value);
    else copy[key] = value;
  }
  return copy;
}

/**
 * How `util.inspect` shows an object whose properties may hold secrets: its own enumerable
 * properties, with those named like secrets (`isSecretKey`: `cipherKey`, `password`, …)
 * redacted and those in `replace` replaced. Nested objects are shown by their own inspect.
 * Call it from a class's `[util.inspect.custom](depth, options)`.
 */
export function inspectRedacted(
  target: object,
  depth: number,
  options: InspectOptions,
  replace: Readonly<Record<string, unknown>> = {},
): string {
  const name = (target.constructor as { name?: string } | undefined)?.name || 'Object';
  if (depth < 0) return `[${name}]`;
  const shown: Record<string, unknown> = {};
  for (const key of Object.keys(target)) {
    if (Object.hasOwn(replace, key)) shown[key] = replace[key];
    else shown[key] = isSecretKey(key) ? REDACTED : (target as Record<string, unknown>)[key];
  }
  return inspectAs(name, shown, depth, options);
}

/**
 * How `util.inspect` shows an object as `name` with only the properties of `shown` (an allow
 * list, for objects that hold connection pools or other things that carry secrets).
 */
export function inspectAs(
  name: string,
  shown: Readonly<Record<string, unknown>>,
  depth: number,
  options: InspectOptions,
): string {
  if (depth < 0) return `[${name}]`;
  return `${name} ${inspect(shown, { ...options, depth: options.depth == null ? null : depth })}`;
}
