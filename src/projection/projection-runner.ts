import type { Application, ApplicationOptions } from '../application/application.js';
import type { NotificationLog } from '../application/notification-log.js';
import type { ErrorHook } from '../persistence/error-reporter.js';
import {
  InfrastructureFactory,
  type RecorderClass,
} from '../persistence/infrastructure-factory.js';
import type { TrackingRecorder } from '../persistence/recorders.js';
import { describeValue } from '../utils/describe-value.js';
import { Environment, type EnvType } from '../utils/environment.js';
import { BaseProjectionRunner, DEFAULT_BATCH_SIZE } from './base-projection-runner.js';
import type { Projection, ProjectionClass } from './projection.js';
import { readThroughLog } from './read-through-log.js';
import { ViewProcessor } from './view-processor.js';

/** An application class a runner constructs with `{ env }`. */
export type ApplicationClass<A extends Application> = new (options?: ApplicationOptions) => A;

/** Options of `ProjectionRunner`. */
export interface ProjectionRunnerOptions<
  A extends Application,
  P extends Projection<TrackingRecorder>,
  V extends TrackingRecorder,
> {
  /** The upstream application's class, constructed with `{ env }`. */
  applicationClass: ApplicationClass<A>;
  /** The projection's class, constructed with the view. */
  projectionClass: ProjectionClass<P, V>;
  /** The view's class: a subclass of a backend's tracking recorder. */
  viewClass: RecorderClass<V>;
  /**
   * Environment variables (over `process.env`) of the application, and of the view, whose keys
   * are scoped by the projection's name: `COUNTERS_SQLITE_DBNAME` puts the view of `Counters`
   * in another database than the application's.
   */
  env?: EnvType;
  /** The most events per page and per transaction (default 1000). */
  batchSize?: number;
  /**
   * The application's notification log, when the application runs elsewhere: the view is
   * built from it (e.g. `new NotificationLogJSONClient(new HttpNotificationLogInterface(url))`)
   * instead of from the application's recorder, woken by its stream, or polling it every
   * `pollInterval` ms when it has none. The application's class is still constructed (its
   * mapper decodes the events) and never written to.
   */
  notificationLog?: NotificationLog;
  /** Milliseconds between reads of a `notificationLog` that cannot push (default 1000). */
  pollInterval?: number;
  /**
   * Told of errors, `(error, source)`: each error that is retried (`'projection'`), the error
   * that stopped processing (`'projection-stopped'`), and the application's and view's
   * background errors (as `ApplicationOptions.onError`). It must not throw.
   */
  onError?: ErrorHook;
}

/**
 * Runs a projection (Python's `ProjectionRunner`): constructs the upstream application, the
 * view (`InfrastructureFactory.construct(new Environment(projectionClass.name, env))
 * .trackingRecorder(viewClass)`, so a view can live in another database) and the projection,
 * and processes the application's events from the view's recorded position, many per
 * transaction, waiting for new ones until stopped. The constructor does no I/O: it schedules
 * the start. A view whose position is ahead of the application's log refuses to start.
 *
 * Processing is exactly once: each transaction records the view's changes and the tracking
 * together. A processing error stops processing with the view right before the failing event
 * (see `BaseProjectionRunner` for errors). `await using` stops it.
 *
 * @example
 * ```ts no-run
 * await using runner = new ProjectionRunner({
 *   applicationClass: DogSchool,
 *   projectionClass: Counters,
 *   viewClass: CountersView,
 *   env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: 'school.db', COUNTERS_SQLITE_DBNAME: 'counters.db' },
 * });
 * const [recording] = await runner.app.save(new Dog('Fido'));
 * await runner.wait(recording!.notification.id, { timeout: 5000 });
 * console.log(await runner.view.count('dogs')); // 1
 * ```
 */
export class ProjectionRunner<
  A extends Application,
  P extends Projection<TrackingRecorder>,
  V extends TrackingRecorder,
> extends BaseProjectionRunner<A, P, V> {
  constructor(options: ProjectionRunnerOptions<A, P, V>) {
    const { applicationClass, projectionClass, viewClass, env = {}, onError } = options;
    const batchSize = checkBatchSize(options.batchSize);
    const app = new applicationClass(onError === undefined ? { env } : { env, onError });
    let factory: InfrastructureFactory;
    let view: V;
    let projection: P;
    try {
      factory = InfrastructureFactory.construct(
        new Environment(projectionClass.name, { ...process.env, ...env }),
      );
      if (onError !== undefined) factory.onError = onError;
      view = factory.trackingRecorder(viewClass);
      projection = new projectionClass(view);
    } catch (error) {
      app.close().catch(() => {});
      throw error;
    }
    super({
      app,
      ...(options.notificationLog === undefined
        ? {}
        : {
            source: readThroughLog(app, options.notificationLog, {
              pollInterval: options.pollInterval,
            }),
          }),
      projection,
      view,
      topics: projectionClass.topics ?? [],
      processor: new ViewProcessor(projection, app.name),
      closeView: () => factory.close(),
      batchSize,
      onError,
      name: projectionClass.name,
    });
  }

  /**
   * Rebuilds the view from scratch: pauses processing, empties the view and forgets its
   * tracking of the application in one transaction (`view.resetTracking`, which calls the
   * view's `clear` hook), then processes the application's events again from the start, and
   * resolves once the view has caught up with the log's head as it was at the call. Other
   * views are untouched. Rejects with the processing error if processing fails meanwhile.
   */
  async rebuild(options: { signal?: AbortSignal } = {}): Promise<void> {
    const view = this.view;
    if (typeof view.resetTracking !== 'function') {
      throw new TypeError(
        `Cannot rebuild: the view ${describeValue(view)} has no resetTracking(). Use a view ` +
          'that extends a built-in tracking recorder and overrides its clear() hook.',
      );
    }
    const head = await this.source.recorder.maxNotificationId();
    await this.restartAfter(() => view.resetTracking!(this.app.name));
    await this.wait(head, { timeout: Number.POSITIVE_INFINITY, signal: options.signal });
  }
}

/**
 * The batch size option, checked: a positive integer (default 1000).
 *
 * @internal
 */
export function checkBatchSize(batchSize: number | undefined): number {
  if (batchSize === undefined) return DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new TypeError(`batchSize must be a positive integer, not ${describeValue(batchSize)}.`);
  }
  return batchSize;
}
