import type { AggregateEvent } from './aggregate-event.js';
import type { EventClass } from './domain-event.js';

/** How `@event(...)` was called, with `fields` as given (for messages). */
export function describeCall(
  spec: string | EventClass<AggregateEvent> | undefined,
  fields: string,
) {
  const first =
    typeof spec === 'string' ? `'${spec}'` : typeof spec === 'function' ? spec.name : '';
  return `@event(${first}${first === '' ? '' : ', '}{ fields: [${fields}] })`;
}
