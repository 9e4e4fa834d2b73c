import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../application/application.js';
import { type ErrorHook, ErrorReporter } from '../persistence/error-reporter.js';
import { IntegrityError } from '../persistence/errors.js';
import type { TrackingRecorder, WaitOptions } from '../persistence/recorders.js';
import { instrumentation } from '../telemetry/instrumentation.js';
import { ApplicationSubscription } from './application-subscription.js';
import type { ChunkProcessor } from './chunk-processor.js';
import { isTransient } from './is-transient.js';
import { Progress } from './progress.js';
import { type ProjectionLag, readLag } from './projection-lag.js';
import { runPages } from './run-pages.js';
import { type WaitingRunner, waitForRunner } from './wait-for-runner.js';

const FIRST_RETRY_DELAY = 100;
const MAX_RETRY_DELAY = 2000;
/**
 * The default number of events per transaction.
 *
 * @internal
 */
export const DEFAULT_BATCH_SIZE = 1000;

/** Options of `ProjectionRunner.runForever`. */
export interface RunForeverOptions {
  /** Milliseconds after which it resolves (default: never). */
  timeout?: number;
  /** Aborting it makes it resolve (the runner keeps running). */
  signal?: AbortSignal;
}

/**
 * What a runner is made of (see `BaseProjectionRunner`'s subclasses).
 *
 * @internal
 */
export interface RunnerParts<A extends Application, P, V extends TrackingRecorder> {
  /** The upstream application. */
  readonly app: A;
  /** What the loop reads the upstream events from: `app`, or `app` read through a log. */
  readonly source?: Application;
  /** The projection. */
  readonly projection: P;
  /** Where the projection's position is recorded. */
  readonly view: V;
  /** The upstream topics to process (empty: all). */
  readonly topics: readonly string[];
  /** How the processing loop processes what it reads. */
  readonly processor: ChunkProcessor;
  /** Closes the view (and what it was made with) after the application. */
  readonly closeView: () => Promise<void>;
  /** The most events per transaction. */
  readonly batchSize: number;
  /** Told of errors (see `ProjectionRunnerOptions.onError`). */
  readonly onError: ErrorHook | undefined;
  /** The projection's name, for messages. */
  readonly name: string;
}

/**
 * What `ProjectionRunner` and `EventSourcedProjectionRunner` share (Python's
 * `BaseProjectionRunner`): starting from the view's recorded position, the processing loop,
 * waiting, stopping, and lag. Construct a subclass; its start is scheduled by the constructor.
 *
 * Errors of the background work are kept: a processing error (or a view ahead of its upstream
 * log) stops processing, and `wait`, `runForever` and every `stop` reject with it; it is also
 * given to the `onError` hook (source `'projection-stopped'`). Errors that may pass (a lost
 * connection, a lock timeout) are given to `onError` (source `'projection'`; without a hook, the
 * first one is a process warning) and retried with backoff from the view's recorded position:
 * they delay processing, never stop it. No rejection is ever left unhandled.
 */
export abstract class BaseProjectionRunner<A extends Application, P, V extends TrackingRecorder>
  implements AsyncDisposable
{
  /** The upstream application, constructed by the runner. */
  readonly app: A;
  /** The projection, constructed by the runner. */
  readonly projection: P;
  /** The view: where the projection records what it has processed. */
  readonly view: V;
  private readonly topics: readonly string[];
  private readonly processor: ChunkProcessor;
  /** Where the upstream events are read: the application, or its log elsewhere. */
  protected readonly source: Application;
  private readonly closeView: () => Promise<void>;
  private readonly batchSize: number;
  private readonly onError: ErrorHook | undefined;
  private readonly reporter: ErrorReporter;
  private readonly projectionName: string;
  private readonly interrupt = new AbortController();
  private readonly progress = new Progress();
  private readonly waiting: WaitingRunner;
  private loopControl = new AbortController();
  private subscription: ApplicationSubscription | null = null;
  private loop: Promise<void>;
  private stopping: Promise<void> | null = null;
  private rebuilding: Promise<void> | null = null;
  private failed = false;
  private error: unknown = undefined;
  private readonly stopObservingLag: (() => void) | null;

  /** @internal Subclasses make the parts (see `ProjectionRunner`). */
  protected constructor(parts: RunnerParts<A, P, V>) {
    this.app = parts.app;
    this.source = parts.source ?? parts.app;
    this.projection = parts.projection;
    this.view = parts.view;
    this.topics = parts.topics;
    this.processor = parts.processor;
    this.closeView = parts.closeView;
    this.batchSize = parts.batchSize;
    this.onError = parts.onError;
    this.reporter = new ErrorReporter(() => this.onError);
    this.projectionName = parts.name;
    this.waiting = {
      interrupted: this.interrupt.signal,
      progress: this.progress,
      throwIfFailed: () => {
        if (this.failed) throw this.error;
      },
      waitForView: (notificationId, options) =>
        this.view.wait(this.app.name, notificationId, options),
    };
    // Scheduled, so that the constructor does no I/O.
    this.loop = Promise.resolve().then(() => this.run(this.loopControl.signal));
    this.stopObservingLag =
      instrumentation.current?.observeLag(this.projectionName, this.app.name, async () => {
        return (await this.lag()).events;
      }) ?? null;
  }

  /** Whether the runner has stopped processing: `stop()` was called, or processing failed. */
  get isInterrupted(): boolean {
    return this.interrupt.signal.aborted;
  }

  /**
   * Resolves once the view has processed the upstream notification (at once for null), so that
   * a query after a command sees what the command did. Rejects with `TimeoutError` after
   * `timeout` ms (default 1000), with `WaitInterruptedError` when `signal` aborts, and with the
   * processing error if processing failed (before or while waiting). Resolves quietly once the
   * runner is stopped, as Python's does.
   */
  async wait(notificationId: number | null, options: WaitOptions = {}): Promise<void> {
    return waitForRunner(this.waiting, notificationId, options);
  }

  /**
   * Resolves after `timeout` ms, when `signal` aborts, or when the runner is stopped; rejects
   * with the processing error when processing fails (at once if it already has).
   */
  async runForever(options: RunForeverOptions = {}): Promise<void> {
    if (this.failed) throw this.error;
    const { timeout, signal } = options;
    if (!this.interrupt.signal.aborted && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          if (timer !== null) clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.interrupt.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = timeout === undefined ? null : setTimeout(done, timeout);
        signal?.addEventListener('abort', done, { once: true });
        this.interrupt.signal.addEventListener('abort', done, { once: true });
      });
    }
    if (this.failed) throw this.error;
  }

  /**
   * Stops processing (a transaction under way finishes first), closes the application and
   * the view, and leaves nothing running. Rejects with the processing error if processing
   * failed (every call does); else resolves. Safe to repeat.
   */
  async stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    await this.stopping;
    if (this.failed) throw this.error;
  }

  /** Stops the runner at the end of an `await using` block, as `stop()` does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** How far the view is behind the upstream application: events and the oldest one's age. */
  lag(): Promise<ProjectionLag> {
    return readLag(this.source, this.view, this.topics);
  }

  /**
   * Pauses processing, runs `reset` (which changes where the view stands), and resumes from
   * the view's recorded position. Used by `rebuild`.
   */
  protected async restartAfter(reset: () => Promise<void>): Promise<void> {
    while (this.rebuilding !== null) await this.rebuilding.catch(() => {});
    this.throwIfStopped();
    const run = async (): Promise<void> => {
      this.loopControl.abort();
      this.subscription?.stop();
      await this.loop;
      this.throwIfStopped();
      try {
        this.progress.reset();
        await reset();
      } finally {
        if (!this.interrupt.signal.aborted) {
          this.loopControl = new AbortController();
          const signal = this.loopControl.signal;
          this.loop = this.run(signal);
        }
      }
    };
    const rebuilding = run();
    this.rebuilding = rebuilding;
    try {
      await rebuilding;
    } finally {
      this.rebuilding = null;
    }
  }

  private throwIfStopped(): void {
    if (this.failed) throw this.error;
    if (this.interrupt.signal.aborted) {
      throw new Error(`The runner of ${this.projectionName} has been stopped.`);
    }
  }

  private async shutDown(): Promise<void> {
    this.stopObservingLag?.();
    this.interruptNow();
    await this.rebuilding?.catch(() => {});
    await this.loop;
    const closed = await Promise.allSettled([this.app.close(), this.closeView()]);
    const failure = closed.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined && !this.failed) throw failure.reason;
  }

  private interruptNow(): void {
    this.interrupt.abort();
    this.loopControl.abort();
    this.subscription?.stop();
  }

  /** Processes until stopped, paused or failed, retrying what may pass. Never rejects. */
  private async run(signal: AbortSignal): Promise<void> {
    let delay = FIRST_RETRY_DELAY;
    while (!signal.aborted) {
      try {
        await this.runOnce(signal, () => {
          delay = FIRST_RETRY_DELAY;
        });
        return;
      } catch (error) {
        if (!isTransient(error)) {
          this.fail(error);
          return;
        }
        if (signal.aborted) return;
        this.reporter.report(error, 'projection');
        await sleep(delay, undefined, { signal }).catch(() => {});
        delay = Math.min(delay * 2, MAX_RETRY_DELAY);
      }
    }
  }

  private async runOnce(signal: AbortSignal, onCommit: () => void): Promise<void> {
    const { app, source, processor } = this;
    const position = await processor.maxTrackingId();
    // A log read elsewhere is not checked: its head is found by reading it to the end.
    const head = source === app ? await app.recorder.maxNotificationId() : position;
    if (position !== null && position > (head ?? 0)) {
      throw new IntegrityError(
        `The view of ${this.projectionName} has tracked notification ${position} of ` +
          `${app.name}, but that application's log ends at ${head ?? 'nothing (it is empty)'} ` +
          '(a restored or reset database?): rebuild the view, or point it at the right database.',
      );
    }
    if (signal.aborted) return;
    this.progress.start(position);
    const subscription = new ApplicationSubscription(source, {
      gt: position,
      topics: this.topics,
      batchSize: this.batchSize,
    });
    this.subscription = subscription;
    try {
      await runPages(subscription, processor, {
        batchSize: this.batchSize,
        from: position,
        isStopped: () => signal.aborted,
        onProgress: (tracking) => {
          onCommit();
          this.progress.advance(tracking.notificationId);
        },
        onRecovered: (error) => this.reporter.report(error, 'projection'),
        consumer: this.projectionName,
        upstream: app.name,
      });
    } finally {
      subscription.stop();
      if (this.subscription === subscription) this.subscription = null;
    }
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
    this.interruptNow();
    if (typeof this.onError === 'function') {
      try {
        this.onError(
          error instanceof Error ? error : new Error(String(error)),
          'projection-stopped',
        );
      } catch {
        // The hook must not throw; the error is kept for wait, runForever and stop.
      }
    }
  }
}
