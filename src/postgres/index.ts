/**
 * `eventsourcing/postgres`: the PostgreSQL persistence module (`PERSISTENCE_MODULE=postgres`).
 * Needs the `pg` package (an optional peer dependency: `npm install pg`), loaded on first use.
 */
import { PostgresFactory } from './postgres-factory.js';

export {
  PG_DRIVER_PACKAGE,
  type PgClient,
  type PgNotification,
  type PgPool,
  type PgPoolClient,
  type PgQueryConfig,
  type PgQueryResult,
  type PgTypeParser,
  type PgTypes,
} from './driver.js';
export { MAX_IDENTIFIER_LENGTH } from './identifiers.js';
export { PostgresAggregateRecorder } from './postgres-aggregate-recorder.js';
export {
  DEFAULT_POLL_INTERVAL,
  PostgresApplicationRecorder,
  type PostgresApplicationRecorderOptions,
} from './postgres-application-recorder.js';
export { PostgresDatastore, type PostgresDatastoreOptions } from './postgres-datastore.js';
export {
  PostgresDCBRecorder,
  type PostgresDCBRecorderOptions,
} from './postgres-dcb-recorder.js';
export {
  PostgresFactory,
  type PostgresFactoryOptions,
  type PostgresRecorders,
} from './postgres-factory.js';
export { PostgresFollowerLock } from './postgres-follower-lock.js';
export { PostgresListener } from './postgres-listener.js';
export { PostgresProcessRecorder } from './postgres-process-recorder.js';
export { PostgresRecorder } from './postgres-recorder.js';
export {
  type GetPassword,
  type OriginatorIdType,
  PostgresKeys,
  type PostgresSettings,
  type PostgresSettingsOptions,
  parsePostgresSettings,
  type SslSetting,
} from './postgres-settings.js';
export { PostgresTrackingRecorder } from './postgres-tracking-recorder.js';
export { PostgresTrackingTable } from './postgres-tracking-table.js';
export type {
  PostgresQueryOptions,
  PostgresQueryResult,
  PostgresRow,
  PostgresTransactionClient,
} from './transaction-client.js';

/** The module's factory under the name `InfrastructureFactory.construct` looks for first. */
export const Factory = PostgresFactory;
/** The module's factory under the name `InfrastructureFactory.construct` looks for first. */
export type Factory = PostgresFactory;
