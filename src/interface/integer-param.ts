import { errorResponse } from './error-response.js';

/** A non-negative integer as the HTTP handlers take it in a parameter or header. */
export const INTEGER_PATTERN = /^\d{1,15}$/;

/**
 * The value of an integer query parameter of the HTTP handlers: null when absent, a 400
 * response saying what was wrong when it is not a non-negative integer.
 *
 * @internal
 */
export function integerParam(params: URLSearchParams, key: string): number | null | Response {
  const value = params.get(key);
  if (value === null) return null;
  if (!INTEGER_PATTERN.test(value)) {
    return errorResponse(
      400,
      `Invalid ${key} ${JSON.stringify(value)}: expected a non-negative integer.`,
    );
  }
  return Number(value);
}
