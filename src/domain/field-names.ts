/**
 * Checks field names stated on `@aggregate` and `@event` (`{ fields: [...] }`), which name an
 * event's stored fields instead of the decorated function's parameter names.
 */
import { describeValue } from '../utils/describe-value.js';

/** Event attributes every event has: a field must not overwrite them. */
const RESERVED = new Set(['originatorId', 'originatorVersion', 'originatorTopic']);

/**
 * The stated field names, checked: an array of distinct non-empty strings, one per parameter
 * (`parsed`, when the parameters could be read). `where` starts the error messages.
 */
export function checkFieldNames(
  where: string,
  fields: unknown,
  parsed: readonly string[] | undefined,
): readonly string[] {
  if (!Array.isArray(fields)) {
    throw new TypeError(
      `${where}: 'fields' must be an array of field names, one per parameter, e.g. ` +
        `{ fields: ['name'] }, got ${describeValue(fields)}.`,
    );
  }
  const seen = new Set<string>();
  for (const field of fields as unknown[]) {
    if (typeof field !== 'string' || field === '') {
      throw new TypeError(
        `${where}: every name in 'fields' must be a non-empty string, got ${describeValue(field)}.`,
      );
    }
    if (RESERVED.has(field)) {
      throw new TypeError(
        `${where}: '${field}' cannot be a field name: every event has it already. Use another name.`,
      );
    }
    if (seen.has(field)) {
      throw new TypeError(`${where}: the field name '${field}' is given twice in 'fields'.`);
    }
    seen.add(field);
  }
  if (parsed !== undefined && parsed.length !== fields.length) {
    throw new TypeError(
      `${where}: 'fields' names ${fields.length} field(s) (${fields.join(', ') || 'none'}) but ` +
        `the function has ${parsed.length} parameter(s): give one field name per parameter, ` +
        `in order.`,
    );
  }
  return Object.freeze([...(fields as string[])]);
}
