const HAS_UPPER_HEX = /[A-F]/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The id under which the in-memory recorders store and find an originator: a hyphenated UUID
 * in lower case, as SQLite and PostgreSQL store UUID ids (so `'A1B2…'` and `'a1b2…'` are the
 * same aggregate on every backend), and any other string as it is.
 */
export function canonicalOriginatorId(id: string): string {
  // Two cheap tests let through the usual ids (randomUUID's are lower case) untouched.
  if (id.length !== 36 || !HAS_UPPER_HEX.test(id) || !UUID.test(id)) return id;
  return id.toLowerCase();
}
