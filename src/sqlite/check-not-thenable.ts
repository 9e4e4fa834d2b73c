/**
 * @throws TypeError when a function that must be synchronous returned a Promise.
 *
 * @internal
 */
export function checkNotThenable(result: unknown): void {
  if (isThenable(result)) {
    // Its rejection is not this call's to report: the TypeError says what went wrong.
    Promise.resolve(result).catch(() => {});
    throw new TypeError(
      'The function given to transaction() (or clear()) returned a Promise: it must do its ' +
        'work synchronously (better-sqlite3 is synchronous, and a transaction must not span an ' +
        'await). Nothing was changed.',
    );
  }
}

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
