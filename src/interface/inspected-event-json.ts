import { Buffer } from 'node:buffer';
import type { InspectedEvent } from './inspected-event.js';
import { type JsonValue, toJsonValue } from './json-value.js';

/** What the command-line tool prints for an event with `--json` (one object per line). */
export interface InspectedEventJson {
  /** The notification id, or null for an aggregate's events. */
  readonly id: number | null;
  /** The aggregate's id. */
  readonly originatorId: string;
  /** The aggregate's version after this event. */
  readonly originatorVersion: number;
  /** Names the event's class. */
  readonly topic: string;
  /** ISO 8601 (`Invalid Date` for a timestamp that is not one), or null. Absent with `raw`. */
  readonly timestamp?: string | null;
  /** The class the topic resolved to, or null. Absent with `raw`. */
  readonly className?: string | null;
  /** The decoded fields (see `toJsonValue`), or null. Absent with `raw`. */
  readonly fields?: { readonly [key: string]: JsonValue } | null;
  /** Why it could not be decoded, or null. Absent with `raw`. */
  readonly error?: string | null;
  /** The stored state, base64: only with `raw`. */
  readonly state?: string;
}

/**
 * An inspected event as a JSON object: decoded (timestamp, class, fields, error) or, with
 * `raw`, its stored state as base64.
 */
export function inspectedEventJson(
  event: InspectedEvent,
  options: { raw?: boolean } = {},
): InspectedEventJson {
  const common = {
    id: event.id,
    originatorId: event.originatorId,
    originatorVersion: event.originatorVersion,
    topic: event.topic,
  };
  if (options.raw === true) {
    const s = event.state;
    return {
      ...common,
      state: Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('base64'),
    };
  }
  return {
    ...common,
    // toJsonValue, not toISOString, which throws for an invalid date: one odd event must not
    // fail a whole listing.
    timestamp: event.timestamp === null ? null : (toJsonValue(event.timestamp) as string),
    className: event.className,
    fields: fieldsJson(event.fields),
    error: event.error,
  };
}

/** Decoded fields as a JSON object (null when not decoded). */
function fieldsJson(
  fields: Readonly<Record<string, unknown>> | null,
): { readonly [key: string]: JsonValue } | null {
  if (fields === null) return null;
  const value = toJsonValue(fields);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as { readonly [key: string]: JsonValue })
    : {};
}
