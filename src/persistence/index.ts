/**
 * `eventsourcing/persistence`: stored events, transcoding, mapping, ciphers and compressors,
 * recorder interfaces, the event store and the infrastructure factory.
 */
export { Environment, type EnvType } from '../utils/environment.js';
export {
  type AsyncMethod,
  type ErrorClass,
  type RetriableFunction,
  type RetryDecorator,
  type Retrying,
  type RetryOptions,
  retry,
} from '../utils/retry.js';
export { strtobool } from '../utils/strtobool.js';
export { AESCipher } from './aes-cipher.js';
export {
  BigIntAsStr,
  BufferAsBase64,
  BytesAsBase64,
  builtinTranscodings,
  DatetimeAsISO,
  DecimalAsStr,
  MapAsList,
  SetAsList,
  UUIDAsHex,
} from './builtin-transcodings.js';
export type { Cipher } from './cipher.js';
export type { Compressor } from './compressor.js';
export { formatDatetimeISO, parseDatetimeISO } from './datetime-iso.js';
export type * from './dcb-recorder.js';
export { type ErrorHook, ErrorReporter } from './error-reporter.js';
export * from './errors.js';
export { EventStore, type SnapshotAndDomainEvents } from './event-store.js';
export type { FollowerLock } from './follower-lock.js';
export {
  type FactoryRecorders,
  InfrastructureFactory,
  type InfrastructureFactoryClass,
  type RecorderClass,
  registerPersistenceModule,
} from './infrastructure-factory.js';
export { JSONTranscoder, type JSONTranscoderOptions } from './json-transcoder.js';
export { Mapper, type MapperOptions } from './mapper.js';
export {
  NotificationSignal,
  type WakeUpListener,
  type WakeUpSource,
} from './notification-signal.js';
export {
  type NotificationSelector,
  NotificationSubscription,
  type NotificationSubscriptionOptions,
} from './notification-subscription.js';
export { DEFAULT_WAIT_TIMEOUT, pollForTracking } from './poll-for-tracking.js';
export type { PositionPage } from './position-pages.js';
export {
  PositionSubscription,
  type PositionSubscriptionOptions,
} from './position-subscription.js';
export type * from './recorders.js';
export { Recording } from './recording.js';
export type * from './stored-event.js';
export type { SubscriptionRetry } from './subscription-retry.js';
export type { Transcoder } from './transcoder.js';
export type { Transcoding, TranscodingType } from './transcoding.js';
export { ZlibCompressor, type ZlibCompressorOptions } from './zlib-compressor.js';
