/**
 * Projections (Python's `eventsourcing.projection`): `ApplicationSubscription` (an
 * application's events with their tracking), `Projection` (updates a view, exactly once per
 * upstream event), `ProjectionRunner` (runs it: catch-up in batches, live processing,
 * `wait`, `lag`, `rebuild`), `EventSourcedProjection` (an application whose policy turns
 * upstream events into its own) and `EventSourcedProjectionRunner`. `ProcessingEvent` is
 * re-exported from `eventsourcing/application`.
 *
 * @packageDocumentation
 */

export { ProcessingEvent } from '../application/processing-event.js';
export {
  ApplicationSubscription,
  type ApplicationSubscriptionOptions,
  type ApplicationSubscriptionPage,
  type TrackedEvent,
} from './application-subscription.js';
export { BaseProjectionRunner, type RunForeverOptions } from './base-projection-runner.js';
export { EventSourcedProjection } from './event-sourced-projection.js';
export {
  type EventSourcedProjectionClass,
  EventSourcedProjectionRunner,
  type EventSourcedProjectionRunnerOptions,
} from './event-sourced-projection-runner.js';
export { Projection, type ProjectionClass } from './projection.js';
export type { ProjectionLag } from './projection-lag.js';
export {
  type ApplicationClass,
  ProjectionRunner,
  type ProjectionRunnerOptions,
} from './projection-runner.js';
