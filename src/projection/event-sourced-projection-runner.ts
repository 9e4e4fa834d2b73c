import type { Application, ApplicationOptions } from '../application/application.js';
import type { ErrorHook } from '../persistence/error-reporter.js';
import type { ProcessRecorder } from '../persistence/recorders.js';
import type { EnvType } from '../utils/environment.js';
import { BaseProjectionRunner } from './base-projection-runner.js';
import { EventSourcedProcessor } from './event-sourced-processor.js';
import type { EventSourcedProjection } from './event-sourced-projection.js';
import { type ApplicationClass, checkBatchSize } from './projection-runner.js';

/** An `EventSourcedProjection` class: what `EventSourcedProjectionRunner` takes. */
export interface EventSourcedProjectionClass<P extends EventSourcedProjection> {
  new (options?: ApplicationOptions): P;
  /** The topics of the upstream events to process (empty: all). */
  readonly topics: readonly string[];
}

/** Options of `EventSourcedProjectionRunner`. */
export interface EventSourcedProjectionRunnerOptions<
  A extends Application,
  P extends EventSourcedProjection,
> {
  /** The upstream application's class, constructed with `{ env }`. */
  applicationClass: ApplicationClass<A>;
  /** The projection's class (an application), constructed with `{ env }`. */
  projectionClass: EventSourcedProjectionClass<P>;
  /**
   * Environment variables (over `process.env`) of both applications; keys scoped by an
   * application's name (`COUNTERS_SQLITE_DBNAME`) apply to it alone.
   */
  env?: EnvType;
  /** The most upstream events per page and per transaction (default 1000). */
  batchSize?: number;
  /** Told of errors, as `ProjectionRunnerOptions.onError`. */
  onError?: ErrorHook;
}

/**
 * Runs an `EventSourcedProjection` (Python's `EventSourcedProjectionRunner`): constructs the
 * upstream application and the projection (an application with a process recorder), and
 * processes the upstream events from the projection's recorded position, recording the
 * events its policy collects for a batch of upstream events together with the batch's
 * tracking in one transaction. `runner.projection` is the projection application, and
 * `runner.view` its process recorder. Starting, waiting, stopping, errors and lag are as for
 * `ProjectionRunner` (see `BaseProjectionRunner`).
 *
 * @example
 * ```ts no-run
 * await using runner = new EventSourcedProjectionRunner({
 *   applicationClass: DogSchool,
 *   projectionClass: Counters,
 *   env: { PERSISTENCE_MODULE: 'sqlite', DOGSCHOOL_SQLITE_DBNAME: 'school.db', COUNTERS_SQLITE_DBNAME: 'counters.db' },
 * });
 * const [recording] = await runner.app.save(new Dog('Fido'));
 * await runner.wait(recording!.notification.id);
 * ```
 */
export class EventSourcedProjectionRunner<
  A extends Application,
  P extends EventSourcedProjection,
> extends BaseProjectionRunner<A, P, ProcessRecorder> {
  constructor(options: EventSourcedProjectionRunnerOptions<A, P>) {
    const { applicationClass, projectionClass, env = {}, onError } = options;
    const batchSize = checkBatchSize(options.batchSize);
    const appOptions: ApplicationOptions = onError === undefined ? { env } : { env, onError };
    const app = new applicationClass(appOptions);
    let projection: P;
    try {
      projection = new projectionClass(appOptions);
    } catch (error) {
      app.close().catch(() => {});
      throw error;
    }
    super({
      app,
      projection,
      view: projection.recorder,
      topics: projectionClass.topics ?? [],
      processor: new EventSourcedProcessor(projection, app.name),
      closeView: () => projection.close(),
      batchSize,
      onError,
      name: projection.name,
    });
  }
}
