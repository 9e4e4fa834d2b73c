/**
 * The names under which a domain event's fields are stored (Python's), and back: the mapper's
 * plain path and its fast path (`./fast/event-fields.ts`) rename fields with these.
 */

/** The event field of the originator's id (stored in its own column, never in the state). */
export const ORIGINATOR_ID = 'originatorId';
/** The event field of the originator's version (stored in its own column). */
export const ORIGINATOR_VERSION = 'originatorVersion';
/** The event field of a created event's aggregate topic. */
export const ORIGINATOR_TOPIC = 'originatorTopic';
/** Python's name for `originatorTopic`, which the stored state uses. */
export const STORED_ORIGINATOR_TOPIC = 'originator_topic';
/** The state key of the class version, written when a class's version is above 1. */
export const CLASS_VERSION = 'class_version';

/** The state key an event field is stored under, or null for the id and version. */
export function storedFieldName(key: string): string | null {
  if (key === ORIGINATOR_TOPIC) return STORED_ORIGINATOR_TOPIC;
  return key === ORIGINATOR_ID || key === ORIGINATOR_VERSION ? null : key;
}

/** The event field a stored state's key is read into, or null for keys the event never takes. */
export function eventFieldName(key: string): string | null {
  if (key === STORED_ORIGINATOR_TOPIC) return ORIGINATOR_TOPIC;
  // The stored id and version come from the stored event, never from its state.
  return key === CLASS_VERSION || key === ORIGINATOR_ID || key === ORIGINATOR_VERSION ? null : key;
}
