import type { EventDefinition } from './internal.js';

/** The definitions of `@event` members whose field names were stated (`{ fields }`). */
export const statedFields = new WeakSet<EventDefinition>();
