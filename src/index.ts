/**
 * `eventsourcing`: the everyday names of the domain, application and persistence layers, for
 * writing aggregates and applications. The rest of each layer (the machinery that persistence
 * modules are written with, topic-cache control, versioning helpers) is imported from its own
 * subpath: `eventsourcing/domain`, `eventsourcing/application`, `eventsourcing/persistence`;
 * persistence modules from `eventsourcing/memory`, `eventsourcing/sqlite`,
 * `eventsourcing/postgres`, and the contract suites from `eventsourcing/testing`.
 *
 * @packageDocumentation
 */

export {
  Application,
  type ApplicationOptions,
  type Saveable,
  type TakeSnapshotOptions,
} from './application/application.js';
export { LRUCache } from './application/cache.js';
export { AggregateNotFoundError } from './application/errors.js';
export { EventSourcedLog } from './application/event-sourced-log.js';
export {
  LocalNotificationLog,
  type NotificationLog,
  type Section,
} from './application/notification-log.js';
export { ProcessingEvent } from './application/processing-event.js';
export { projectAggregate } from './application/project-aggregate.js';
export { RecorderOptions } from './application/recorder-options.js';
export { Repository, type RepositoryGetOptions } from './application/repository.js';
export { Aggregate, createAggregate } from './domain/aggregate.js';
export { AggregateCreated } from './domain/aggregate-created.js';
export { aggregate } from './domain/aggregate-decorator.js';
export { AggregateEvent } from './domain/aggregate-event.js';
export { createEvent, DomainEvent, type EventFields } from './domain/domain-event.js';
// Both the domain and persistence layers have a `ProgrammingError` (as in Python): here the plain
// name is the domain layer's, and the database one is `DatabaseProgrammingError`.
export {
  EventSourcingError,
  OriginatorIDError,
  OriginatorVersionError,
  ProgrammingError,
  TopicError,
} from './domain/errors.js';
export { event, triggers } from './domain/event-decorator.js';
export type { DomainEventLike, ProjectorFunction } from './domain/protocols.js';
export { registerAggregate } from './domain/register-aggregate.js';
export { Snapshot } from './domain/snapshot.js';
export { getTopic, registerTopic, resolveTopic } from './domain/topics.js';
export { uuid5 } from './domain/uuid.js';
export { AESCipher } from './persistence/aes-cipher.js';
export type { Cipher } from './persistence/cipher.js';
export type { Compressor } from './persistence/compressor.js';
export {
  ConnectionUnavailableError,
  DatabaseError,
  DataError,
  InfrastructureFactoryError,
  IntegrityError,
  InterfaceError,
  InternalError,
  MapperDeserialisationError,
  NotSupportedError,
  OperationalError,
  PersistenceError,
  ProgrammingError as DatabaseProgrammingError,
  RecordConflictError,
  TimeoutError,
  TranscodingNotRegisteredError,
  WaitInterruptedError,
} from './persistence/errors.js';
export { EventStore } from './persistence/event-store.js';
export { InfrastructureFactory } from './persistence/infrastructure-factory.js';
export { JSONTranscoder } from './persistence/json-transcoder.js';
export { Mapper } from './persistence/mapper.js';
export type {
  AggregateRecorder,
  ApplicationRecorder,
  ProcessRecorder,
  TrackingRecorder,
} from './persistence/recorders.js';
export { Recording } from './persistence/recording.js';
export type { Notification, StoredEvent, Tracking } from './persistence/stored-event.js';
export type { Transcoding } from './persistence/transcoding.js';
export { ZlibCompressor } from './persistence/zlib-compressor.js';
export { Environment, type EnvType } from './utils/environment.js';
export { retry } from './utils/retry.js';
export { strtobool } from './utils/strtobool.js';
