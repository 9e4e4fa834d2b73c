/**
 * `eventsourcing/domain`: event-sourced aggregates, domain events, snapshots, versioning and
 * topics. Synchronous, and dependent only on the Node standard library.
 */
export {
  Aggregate,
  type AggregateClass,
  type CreateFields,
  createAggregate,
  type TriggerFields,
} from './aggregate.js';
export { AggregateCreated } from './aggregate-created.js';
export {
  type AggregateConstructor,
  type AggregateDecorator,
  type AggregateOptions,
  aggregate,
} from './aggregate-decorator.js';
export { AggregateEvent } from './aggregate-event.js';
export {
  createEvent,
  DomainEvent,
  type EventClass,
  type EventFields,
  type EventInit,
  type FieldsArgument,
} from './domain-event.js';
export {
  EventSourcingError,
  OriginatorIDError,
  OriginatorVersionError,
  ProgrammingError,
  TopicError,
} from './errors.js';
export {
  type EventDecorator,
  type EventMethod,
  type EventOptions,
  event,
  triggers,
} from './event-decorator.js';
export type {
  AggregateLike,
  CanMutate,
  CollectEvents,
  DomainEventLike,
  MutatorFunction,
  ProjectorFunction,
} from './protocols.js';
export { registerAggregate } from './register-aggregate.js';
export { Snapshot, takeSnapshot } from './snapshot.js';
export {
  clearTopicCache,
  getTopic,
  hasTopic,
  lookupTopic,
  registerTopic,
  resolveTopic,
} from './topics.js';
export { NAMESPACE_DNS, NAMESPACE_OID, NAMESPACE_URL, NAMESPACE_X500, uuid5 } from './uuid.js';
export { classVersionOf, upcastState } from './versioning.js';
