import type { Section } from '../application/notification-log.js';
import type { Notification } from '../persistence/stored-event.js';

/**
 * A notification as the Python library's `NotificationLogJSONService` writes it: UUID
 * originator ids as 32-character lower-case hex (other ids as given), the state in base64.
 */
export interface NotificationItemJSON {
  /** The notification id. */
  id: number;
  /** The originator id: a UUID as 32 lower-case hex characters, any other id as given. */
  originator_id: string;
  /** The originator version. */
  originator_version: number;
  /** The event's topic. */
  topic: string;
  /** The stored state (as recorded: compressed and encrypted when the application does so), base64. */
  state: string;
}

/** A section of a notification log as the Python library writes it. */
export interface SectionJSON {
  /** `"first,last"` of the ids the section holds, null when it holds none. */
  id: string | null;
  /** The id of the next section when this one is full, else null. */
  next_id: string | null;
  /** The notifications. */
  items: NotificationItemJSON[];
}

/** Options of the decoders of the wire format. */
export interface WireFormatOptions {
  /**
   * Whether originator ids are text (`ORIGINATOR_ID_TYPE=text`), kept as they are; by default
   * a 32-character hex id is turned back into a hyphenated UUID.
   */
  textIds?: boolean;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hexPattern = /^[0-9a-f]{32}$/i;

/** A notification as the wire format's item. */
export function encodeNotificationItem(notification: Notification): NotificationItemJSON {
  const id = notification.originatorId;
  const state = notification.state;
  return {
    id: notification.id,
    originator_id: uuidPattern.test(id) ? id.replace(/-/g, '').toLowerCase() : id,
    originator_version: notification.originatorVersion,
    topic: notification.topic,
    state: Buffer.from(state.buffer, state.byteOffset, state.byteLength).toString('base64'),
  };
}

/** The wire format's item as a notification (32-hex ids as UUIDs unless `textIds`). */
export function decodeNotificationItem(
  item: unknown,
  options: WireFormatOptions = {},
): Notification {
  if (item === null || typeof item !== 'object') {
    throw new TypeError(`Invalid notification item: expected an object, got ${describe(item)}.`);
  }
  const { id, originator_id, originator_version, topic, state } = item as Record<string, unknown>;
  if (!Number.isSafeInteger(id)) throw invalidField('id', 'an integer', id);
  if (typeof originator_id !== 'string') {
    throw invalidField('originator_id', 'a string', originator_id);
  }
  if (!Number.isSafeInteger(originator_version)) {
    throw invalidField('originator_version', 'an integer', originator_version);
  }
  if (typeof topic !== 'string') throw invalidField('topic', 'a string', topic);
  if (typeof state !== 'string') throw invalidField('state', 'a base64 string', state);
  return {
    id: id as number,
    originatorId:
      !options.textIds && hexPattern.test(originator_id)
        ? hyphenate(originator_id.toLowerCase())
        : originator_id,
    originatorVersion: originator_version as number,
    topic,
    state: bytesOf(Buffer.from(state, 'base64')),
  };
}

/** A section as the Python library's JSON, byte for byte (`json.dumps` with its defaults). */
export function encodeSection(section: Section): string {
  const id = section.id === null ? 'null' : asciiString(section.id);
  const nextId = section.nextId === null ? 'null' : asciiString(section.nextId);
  return `{"id": ${id}, "next_id": ${nextId}, "items": ${encodeNotifications(section.items)}}`;
}

/** A section from the Python library's JSON. */
export function decodeSection(json: string, options: WireFormatOptions = {}): Section {
  const value = parseJson(json, 'section');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`Invalid section: expected a JSON object, got ${describe(value)}.`);
  }
  const { id, next_id, items } = value as Record<string, unknown>;
  if (id !== null && typeof id !== 'string') throw invalidField('id', 'a string or null', id);
  if (next_id !== null && next_id !== undefined && typeof next_id !== 'string') {
    throw invalidField('next_id', 'a string or null', next_id);
  }
  if (!Array.isArray(items)) throw invalidField('items', 'an array', items);
  return {
    id,
    nextId: next_id ?? null,
    items: items.map((item) => decodeNotificationItem(item, options)),
  };
}

/** A selection of notifications as the Python library's JSON (a bare array of items). */
export function encodeNotifications(notifications: readonly Notification[]): string {
  const n = notifications.length;
  if (n === 0) return '[]';
  let text = `[${itemText(notifications[0] as Notification)}`;
  for (let i = 1; i < n; i++) text += `, ${itemText(notifications[i] as Notification)}`;
  return `${text}]`;
}

/**
 * One item's JSON, written directly: what `pythonJsonDumps(encodeNotificationItem(n))` writes
 * (the wire-format tests hold the two to the same bytes), several times faster, since a
 * server writes every item it serves.
 */
function itemText(notification: Notification): string {
  const id = notification.originatorId;
  // A UUID's hex needs no escaping; other ids and topics are escaped only when they must be.
  const originatorId = uuidPattern.test(id)
    ? `"${id.replace(/-/g, '').toLowerCase()}"`
    : asciiString(id);
  const state = notification.state;
  const base64 = Buffer.from(state.buffer, state.byteOffset, state.byteLength).toString('base64');
  return (
    `{"id": ${notification.id}, "originator_id": ${originatorId}, "originator_version": ` +
    `${notification.originatorVersion}, "topic": ${asciiString(notification.topic)}, ` +
    `"state": "${base64}"}`
  );
}

/** A selection of notifications from the Python library's JSON. */
export function decodeNotifications(json: string, options: WireFormatOptions = {}): Notification[] {
  const value = parseJson(json, 'selection of notifications');
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Invalid selection of notifications: expected a JSON array, got ${describe(value)}.`,
    );
  }
  return value.map((item) => decodeNotificationItem(item, options));
}

/**
 * A JSON value as Python's `json.dumps` writes it with its defaults: `", "` and `": "` as
 * separators, keys in insertion order, every character outside printable ASCII escaped
 * (`ensure_ascii`). Numbers must be integers; `undefined` is not allowed.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as JSON.`);
      return String(value);
    case 'string':
      return asciiString(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .map(([key, item]) => `${asciiString(key)}: ${pythonJsonDumps(item)}`)
        .join(', ')}}`;
    default:
      throw new TypeError(`Cannot write a ${typeof value} as JSON.`);
  }
}

/** Printable ASCII other than the quote and the backslash: written as it is. */
const plainText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function asciiString(value: string): string {
  if (plainText.test(value)) return `"${value}"`;
  // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates as
  // Python does; Python also escapes DEL and everything outside ASCII.
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The bytes as a plain `Uint8Array` view (a Buffer's methods are not part of the shape). */
function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function hyphenate(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new SyntaxError(
      `Invalid ${what}: not JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

function invalidField(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(
    `Invalid notification JSON: "${name}" must be ${expected}, got ${describe(value)}.`,
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
