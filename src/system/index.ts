/**
 * Event-driven systems (Python's `eventsourcing.system`): `Follower` (an application that
 * processes the events of the applications it follows), `Leader` (an application that prompts
 * its followers), `ProcessApplication` (both), `System` (applications joined by pipes),
 * `NotificationLogReader`, and the runners: `SingleThreadedRunner` (deterministic, for tests),
 * `ConcurrentRunner` (one processing loop per follower), `MultiProcessRunner` (a child process
 * per follower, given the system as a module reference) and `FollowerHost` (chosen followers
 * in this process, each while this process owns it: what `eventsourcing run` runs). `ProcessingEvent` is re-exported
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
export { FollowerHost, type FollowerHostOptions } from './follower-host.js';
export { isLeaderClass, Leader, type PromptReceiver, type RecordingEvent } from './leader.js';
export {
  MultiProcessRunner,
  type MultiProcessRunnerOptions,
} from './multi-process-runner.js';
export {
  NotificationLogReader,
  type NotificationLogSelectOptions,
} from './notification-log-reader.js';
export { ProcessApplication } from './process-application.js';
export { type RunForeverOptions, Runner, type RunnerOptions } from './runner.js';
export { SingleThreadedRunner } from './single-threaded-runner.js';
export { System, type SystemAppClass } from './system.js';
export type { SystemReference } from './system-reference.js';
