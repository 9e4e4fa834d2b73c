/**
 * The application layer: `Application`, `Repository` (with an optional aggregate cache), the
 * notification log, `EventSourcedLog`, and `ProcessingEvent` (what processors record).
 */
export {
  type AnyClass,
  Application,
  type ApplicationOptions,
  type Saveable,
  type SnapshotClass,
  type TakeSnapshotOptions,
} from './application.js';
export { Cache, LRUCache } from './cache.js';
export { AggregateNotFoundError } from './errors.js';
export {
  EventSourcedLog,
  type LoggedEventClass,
  type LoggedEventFields,
  type TriggerLoggedEventOptions,
} from './event-sourced-log.js';
export { formatSectionId } from './format-section-id.js';
export {
  LocalNotificationLog,
  type LocalNotificationLogOptions,
  type NotificationLog,
  type NotificationLogSubscribeOptions,
  type NotificationPushes,
  type Section,
} from './notification-log.js';
export { ProcessingEvent } from './processing-event.js';
export { projectAggregate } from './project-aggregate.js';
export { RecorderOptions } from './recorder-options.js';
export { Repository, type RepositoryGetOptions, type RepositoryOptions } from './repository.js';
