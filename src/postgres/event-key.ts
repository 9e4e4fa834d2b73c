import type { StoredEvent } from '../persistence/stored-event.js';

/** The key of an event for duplicate checks (UUIDs compare case-insensitively). */
export function eventKey(event: StoredEvent, uuid: boolean): string {
  const id = uuid ? event.originatorId.toLowerCase() : event.originatorId;
  return `${event.originatorVersion}\u0000${id}`;
}
