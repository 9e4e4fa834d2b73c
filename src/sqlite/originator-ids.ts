const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX = /^[0-9a-fA-F]{32}$/;

/**
 * A UUID string (hyphenated, or 32 hex digits; any case) as the 32-char lowercase hex that
 * Python's SQLite recorders store; `null` when the string is not a UUID.
 */
export function uuidToHex(id: string): string | null {
  if (id.length === 36) {
    if (!HYPHENATED.test(id)) return null;
    return (
      id.slice(0, 8) +
      id.slice(9, 13) +
      id.slice(14, 18) +
      id.slice(19, 23) +
      id.slice(24)
    ).toLowerCase();
  }
  if (id.length === 32 && HEX.test(id)) return id.toLowerCase();
  return null;
}

/**
 * A stored 32-char hex id in the canonical hyphenated form of the API. Anything else (a row
 * written by another program) is returned as it is.
 */
export function hexToUuid(hex: string): string {
  if (hex.length !== 32) return hex;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
