import { TopicError } from './errors.js';
import { checkedClasses, decoratedOriginals } from './internal.js';
import { lookupTopic } from './topics.js';
import { eventMembersMessage, undecoratedEventMembers } from './undecorated-event-members.js';

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
