/**
 * Event-driven systems (Python's `eventsourcing.system`): `Follower` (an application that
 * processes the events of the applications it follows), `Leader` (an application that prompts
 * its followers), `ProcessApplication` (both), `System` (applications joined by pipes),
 * `NotificationLogReader`, and the runners: `SingleThreadedRunner` (deterministic, for tests)
 * and `ConcurrentRunner` (one processing loop per follower). `ProcessingEvent` is re-exported
 * from `eventsourcing/application`.
 *
 * @packageDocumentation
 */

export { ProcessingEvent } from '../application/processing-event.js';
export {
  ConcurrentRunner,
  type ConcurrentRunnerOptions,
  type WatchForErrorsOptions,
} from './concurrent-runner.js';
export { EventProcessingError, RunnerAlreadyStartedError } from './errors.js';
export { Follower, type PullAndProcessOptions } from './follower.js';
export { isLeaderClass, Leader, type PromptReceiver, type RecordingEvent } from './leader.js';
export {
  NotificationLogReader,
  type NotificationLogSelectOptions,
} from './notification-log-reader.js';
export { ProcessApplication } from './process-application.js';
export { Runner, type RunnerOptions } from './runner.js';
export { SingleThreadedRunner } from './single-threaded-runner.js';
export { System, type SystemAppClass } from './system.js';
