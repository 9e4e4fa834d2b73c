import { createHash } from 'node:crypto';
import { isWellFormed } from '../utils/is-well-formed.js';

/** RFC 4122 namespace for fully-qualified domain names. */
export const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** RFC 4122 namespace for URLs. */
export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/** RFC 4122 namespace for ISO OIDs. */
export const NAMESPACE_OID = '6ba7b812-9dad-11d1-80b4-00c04fd430c8';
/** RFC 4122 namespace for X.500 distinguished names. */
export const NAMESPACE_X500 = '6ba7b814-9dad-11d1-80b4-00c04fd430c8';

const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A name-based (version 5, SHA-1) UUID, as Python's `uuid.uuid5(namespace, name)`: the same
 * namespace and name always give the same id. Use it in `createId` for deterministic ids
 * (e.g. an aggregate found by a slug or a licence plate).
 */
export function uuid5(namespace: string, name: string): string {
  if (typeof namespace !== 'string' || !UUID_PATTERN.test(namespace)) {
    throw new TypeError(
      `uuid5() needs a UUID string as namespace (e.g. NAMESPACE_URL), got ${JSON.stringify(namespace)}.`,
    );
  }
  if (typeof name !== 'string') {
    throw new TypeError(`uuid5() needs a string name, got ${typeof name}.`);
  }
  // UTF-8 encoding would turn every lone surrogate into U+FFFD, so distinct names would collide.
  if (!isWellFormed(name)) {
    throw new TypeError(
      `uuid5() needs a well-formed name: ${JSON.stringify(name)} holds a lone UTF-16 surrogate ` +
        '(a string cut in the middle of a character?). Use name.toWellFormed() or fix the name.',
    );
  }
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
