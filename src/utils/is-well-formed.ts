// Node 20 has String.prototype.isWellFormed; TypeScript's ES2023 lib does not declare it.
const nativeIsWellFormed = (
  String.prototype as unknown as { isWellFormed: (this: string) => boolean }
).isWellFormed;

/**
 * Whether a string is well-formed UTF-16 (no lone surrogate, such as `'😀x'.slice(0, 1)`), so
 * that it survives UTF-8 and PostgreSQL text unchanged. Cheap: V8 answers at once for strings
 * without surrogates.
 */
export function isWellFormed(value: string): boolean {
  return nativeIsWellFormed.call(value);
}
