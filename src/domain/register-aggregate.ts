import { registerAggregateTopics } from './register-aggregate-topics.js';
import { checkClassName, ownStaticTopic } from './topics.js';

/**
 * Registers an aggregate class that is not decorated with `@aggregate` (explicit event classes,
 * created with `_create`): the class under `topic` (else its static `topic`, else its name), and
 * each of its static event classes under `<topic>.<key>` (else the event class's static
 * `topic`). Call it once, where the class is defined, so a new process can read its events.
 * A class name that looks renamed by a minifier (and no topic given) is a `TopicError`.
 * Returns the aggregate's topic.
 */
export function registerAggregate(
  cls: abstract new (...args: never[]) => object,
  topic?: string,
): string {
  if (typeof cls !== 'function') {
    throw new TypeError(`registerAggregate() takes an aggregate class, got ${typeof cls}.`);
  }
  if (topic === undefined && ownStaticTopic(cls) === undefined) checkClassName(cls);
  return registerAggregateTopics(cls, [cls], topic);
}
