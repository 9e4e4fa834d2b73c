import { EVENT_DEF, type EventDefinition } from './internal.js';

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
