import { TopicError } from './errors.js';
import { checkedClasses, decoratedOriginals, EVENT_DEF, type EventDefinition } from './internal.js';
import { lookupTopic } from './topics.js';

/** Names of `@event` members (on the class or its bases) that no `@aggregate` has completed. */
export function undecoratedEventMembers(cls: object): string[] {
  const names: string[] = [];
  let proto = (cls as { prototype?: object }).prototype ?? null;
  while (proto !== null && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      for (const fn of [descriptor?.value, descriptor?.set]) {
        const def = (fn as Record<symbol, EventDefinition | undefined> | undefined)?.[EVENT_DEF];
        if (typeof fn === 'function' && def !== undefined && def.eventClass === null) {
          names.push(key);
        }
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return names;
}

/** The message for a class with `@event` members but no `@aggregate`. */
export function eventMembersMessage(name: string, members: readonly string[]): string {
  return (
    `${name} has @event members (${members.join(', ')}) but is not decorated with ` +
    `@aggregate, which defines their event classes. Add @aggregate (or @aggregate('Name')) ` +
    `to class ${name}.`
  );
}

/**
 * Checks, once per class, an aggregate class that `@aggregate` did not return: its `@event`
 * members need `@aggregate`, and its topic must be registered (`registerAggregate`) so that its
 * events can be read back in a new process.
 */
export function checkAggregateClass(cls: object): void {
  const name = (cls as { name: string }).name;
  if (decoratedOriginals.has(cls)) {
    throw new TypeError(
      `${name} is the undecorated class of an @aggregate class: use the decorated class ` +
        `(in static methods, 'this' rather than '${name}').`,
    );
  }
  const members = undecoratedEventMembers(cls);
  if (members.length > 0) throw new TypeError(eventMembersMessage(name, members));
  if (lookupTopic(cls) === undefined) {
    throw new TopicError(
      `Aggregate class ${name} has no registered topic, so its events could not be read back. ` +
        `Decorate it with @aggregate, or call registerAggregate(${name}) once where the class ` +
        `is defined (it registers '${name}' and '${name}.<EventName>' for its static event ` +
        `classes; a static 'topic' overrides '${name}').`,
    );
  }
  checkedClasses.add(cls);
}
