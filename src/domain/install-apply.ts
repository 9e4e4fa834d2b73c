import type { Aggregate } from './aggregate.js';
import type { AggregateEvent } from './aggregate-event.js';
import type { EventClass } from './domain-event.js';
import { EVENT_DEF, type EventDefinition, runtime } from './internal.js';

/**
 * The `apply` of events defined by `@event`: runs the decorated member's original body with
 * the event's fields as arguments. Shared by all such event classes (their definition is on the
 * prototype), so no function is made per class or per call.
 */
function applyDecorated(this: AggregateEvent, aggregate: Aggregate): void {
  const def = (this as unknown as Record<symbol, EventDefinition>)[EVENT_DEF] as EventDefinition;
  const fields = this as unknown as Record<string, unknown>;
  const names = def.paramNames;
  const args = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i++) args[i] = fields[names[i] as string];
  const previous = runtime.applying;
  runtime.applying = aggregate;
  try {
    def.body.apply(aggregate, args);
  } finally {
    runtime.applying = previous;
  }
}

/** Makes the event class of an `@event` member apply the member's body. */
export function installApply(cls: EventClass<unknown>, def: EventDefinition): void {
  Object.defineProperty(cls.prototype, 'apply', {
    value: applyDecorated,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(cls.prototype, EVENT_DEF, { value: def, configurable: true });
}
