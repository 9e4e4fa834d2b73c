import { DataError } from '../persistence/errors.js';
import { describeValue } from '../utils/describe-value.js';

/**
 * An int8 from the database as a number: `pg` gives the text when it is above
 * `Number.MAX_SAFE_INTEGER`, which is a `DataError`.
 */
export function toSafeInteger(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  throw new DataError(
    `The ${what} ${describeValue(value)} read from PostgreSQL is above Number.MAX_SAFE_INTEGER and ` +
      'cannot be represented exactly as a JavaScript number.',
  );
}
