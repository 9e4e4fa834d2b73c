import { DomainEvent } from './domain-event.js';
import { lookupTopic, ownStaticTopic, registerTopic } from './topics.js';

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
