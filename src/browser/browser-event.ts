import type { InspectedEvent } from '../interface/inspected-event.js';
import { inspectedEventJson } from '../interface/inspected-event-json.js';
import type { JsonValue } from '../interface/json-value.js';

/**
 * An event as the browser's JSON API gives it (a notification of the log, or an event of an
 * aggregate): a `StoreInspector`'s `InspectedEvent` as JSON.
 */
export interface BrowserEvent {
  /** Its notification id, or `null` when read from an aggregate's history without one. */
  readonly id: number | null;
  /** The aggregate it belongs to. */
  readonly originatorId: string;
  /** The aggregate's version after this event. */
  readonly originatorVersion: number;
  /** The topic of its class. */
  readonly topic: string;
  /** The name of its class when the topic resolves in the serving process, else `null`. */
  readonly className: string | null;
  /** When it happened (ISO 8601), or `null` when its state has no timestamp. */
  readonly timestamp: string | null;
  /**
   * Its fields except the timestamp, as JSON (dates as ISO 8601 strings, big integers as
   * strings, bytes as base64 strings, maps as objects, sets as arrays), or `null` when its
   * state could not be decoded.
   */
  readonly fields: Readonly<Record<string, JsonValue>> | null;
  /** Why the state could not be decoded (or only partly), else `null`. */
  readonly error: string | null;
}

/**
 * An inspected event as the JSON API gives it: the command line's `--json` form of it
 * (`inspectedEventJson`), so that the two never differ.
 *
 * @internal
 */
export function toBrowserEvent(event: InspectedEvent): BrowserEvent {
  const json = inspectedEventJson(event);
  return {
    id: json.id,
    originatorId: json.originatorId,
    originatorVersion: json.originatorVersion,
    topic: json.topic,
    className: json.className ?? null,
    timestamp: json.timestamp ?? null,
    fields: json.fields ?? null,
    error: json.error ?? null,
  };
}
