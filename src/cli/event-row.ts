import type { InspectedEvent } from '../interface/inspected-event.js';
import { inspectedEventJson } from '../interface/inspected-event-json.js';

/**
 * The cells of an event in a table: its timestamp (ISO 8601, or `-`) and its fields as
 * compact JSON, the class it was decoded as in front when the topic resolved, or why it could
 * not be decoded; with `raw`, its stored state as base64.
 *
 * @internal
 */
export function eventCells(
  event: InspectedEvent,
  raw: boolean,
): { timestamp: string; fields: string } {
  if (raw) {
    return { timestamp: '-', fields: inspectedEventJson(event, { raw: true }).state ?? '' };
  }
  const json = inspectedEventJson(event);
  const timestamp = json.timestamp ?? '-';
  if (json.fields === null || json.fields === undefined) {
    return { timestamp, fields: `(not decoded: ${event.error ?? 'unknown'})` };
  }
  const fields = JSON.stringify(json.fields);
  return {
    timestamp,
    fields: event.error === null ? fields : `${fields} (${event.error})`,
  };
}
