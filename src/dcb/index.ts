/**
 * `eventsourcing/dcb`: dynamic consistency boundaries. Decisions stored with tags instead of in
 * one stream per aggregate, appended on the condition that nothing a decision depended on has
 * been appended since; decision models (`EnduringObject`, `Group`, `Slice`) over them; the DCB
 * recorder interface and shapes (defined in the persistence layer, re-exported here).
 */
export type {
  DCBAppendCondition,
  DCBEvent,
  DCBQuery,
  DCBQueryItem,
  DCBReadOptions,
  DCBReadResponse,
  DCBRecorder,
  DCBSequencedEvent,
  DCBSubscribeOptions,
  DCBSubscription,
} from '../persistence/dcb-recorder.js';
export { DCBApplication, type DCBApplicationOptions } from './dcb-application.js';
export {
  DCBApplicationSubscription,
  type DCBApplicationSubscriptionOptions,
  type TrackedDecision,
} from './dcb-application-subscription.js';
export {
  DCBEventStore,
  type DCBEventStoreReadOptions,
  type DCBEventStoreReadResponse,
  toQuery,
} from './dcb-event-store.js';
export { DCBMapper, type DCBMapperOptions } from './dcb-mapper.js';
export { type AdvanceOptions, DCBRepository } from './dcb-repository.js';
export {
  createDecision,
  Decision,
  type DecisionClass,
  type DecisionFields,
} from './decision.js';
export { EnduringObject } from './enduring-object.js';
export { type DCBEventDecorator, event } from './event.js';
export { Group } from './group.js';
export { InitialDecision } from './initial-decision.js';
export { Perspective, type TriggerOptions } from './perspective.js';
export { type ConsistencyBoundary, Selector, type SelectorOptions } from './selector.js';
export { Slice } from './slice.js';
export { Tagged } from './tagged.js';
