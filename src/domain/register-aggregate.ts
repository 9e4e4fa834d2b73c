import { DomainEvent } from './domain-event.js';
import { checkClassName, lookupTopic, registerTopic } from './topics.js';

function ownStaticTopic(cls: object): string | undefined {
  if (!Object.hasOwn(cls, 'topic')) return undefined;
  const topic = (cls as { topic?: unknown }).topic;
  return typeof topic === 'string' && topic !== '' ? topic : undefined;
}

function isDomainEventClass(value: unknown): value is new () => DomainEvent {
  return (
    typeof value === 'function' && (value === DomainEvent || value.prototype instanceof DomainEvent)
  );
}

/**
 * Registers topics for an aggregate class and its static event classes, from the classes given
 * in `holders` (the aggregate class, and for `@aggregate` also the class it decorated: compilers
 * disagree on which of the two gets static fields). Returns the aggregate's topic.
 */
export function registerAggregateTopics(
  aggregateClass: object,
  holders: readonly object[],
  topic?: string,
): string {
  const aggregateTopic =
    topic ??
    holders.map(ownStaticTopic).find((t) => t !== undefined) ??
    (aggregateClass as { name: string }).name;
  registerTopic(aggregateTopic, aggregateClass);
  for (const holder of holders) {
    for (const key of Object.getOwnPropertyNames(holder)) {
      if (key === 'prototype') continue;
      const value = Object.getOwnPropertyDescriptor(holder, key)?.value;
      if (!isDomainEventClass(value) || lookupTopic(value) !== undefined) continue;
      registerTopic(ownStaticTopic(value) ?? `${aggregateTopic}.${key}`, value);
    }
  }
  return aggregateTopic;
}

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
