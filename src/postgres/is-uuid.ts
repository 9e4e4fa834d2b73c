const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the string is a hyphenated UUID (any case). */
export function isUuid(value: string): boolean {
  return value.length === 36 && UUID.test(value);
}
