import type { Application } from '../application/application.js';
import { applicationName } from '../application/application-name.js';
import type { ErrorHook } from '../persistence/error-reporter.js';
import type { EnvType } from '../utils/environment.js';
import { type EventProcessingError, RunnerAlreadyStartedError } from './errors.js';
import { Follower } from './follower.js';
import { Leader, type PromptReceiver } from './leader.js';
import type { System } from './system.js';
import { Waiters } from './waiters.js';

/** Options of a runner. */
export interface RunnerOptions {
  /** Environment variables of every application of the system (scoped keys: `APPNAME_…`). */
  env?: EnvType;
  /**
   * Told of the errors that are retried rather than raised: the runner's (source `'system'`:
   * a lost connection or a lock timeout while processing) and each application's (its
   * subscriptions' and pool's: given to every application as its `onError`). Without it, the
   * first one of each is a process warning.
   */
  onError?: ErrorHook;
}

/** Options of `Runner.runForever`. */
export interface RunForeverOptions {
  /** Milliseconds after which it resolves (default: never). */
  timeout?: number;
  /** Resolves it when aborted (e.g. on SIGINT). */
  signal?: AbortSignal;
}

/**
 * Runs a system (Python's `Runner`): the constructor constructs every application of the
 * system with the runner's `env` (leaders, followers and singles alike, so `get(App)` works
 * before `start()`) and makes each follower follow its leaders; `start()` starts processing
 * (once: again is a `RunnerAlreadyStartedError`), `stop()` stops it and closes the
 * applications. `await using runner = …` stops it at the end of the block.
 */
export abstract class Runner implements AsyncDisposable {
  /** The system run. */
  readonly system: System;
  /** The environment given to every application. */
  readonly env: EnvType | undefined;
  /** The applications, by name. */
  readonly apps: ReadonlyMap<string, Application>;
  /** Whether `start()` has been called. */
  isStarted = false;
  /** The first processing error, once one happened (processing stopped there). */
  protected error: EventProcessingError | null = null;
  private stopping: Promise<void> | null = null;
  private readonly waiters = new Waiters();

  constructor(system: System, options: RunnerOptions = {}) {
    this.system = system;
    this.env = options.env;
    const apps = new Map<string, Application>();
    try {
      for (const name of system.nodes.keys()) {
        const cls = system.follows.has(name)
          ? system.followerCls(name)
          : system.leads.has(name)
            ? system.leaderCls(name)
            : system.getAppCls(name);
        apps.set(name, new cls({ env: this.env, onError: options.onError }));
      }
      const receiver = this.promptReceiver();
      for (const [leaderName, followerName] of system.edges) {
        const leader = apps.get(leaderName) as Application;
        const follower = apps.get(followerName) as Follower;
        follower.follow(leader.name, leader.notificationLog);
        if (receiver !== null && leader instanceof Leader) leader.lead(receiver);
      }
    } catch (error) {
      for (const app of apps.values()) app.close().catch(() => {});
      throw error;
    }
    this.apps = apps;
  }

  /**
   * The receiver of the leaders' prompts, or null when the runner does not use prompts. Called
   * once, by the constructor (before the subclass's fields are set: return `this`, touch no
   * field).
   */
  protected promptReceiver(): PromptReceiver | null {
    return null;
  }

  /** The system's application of the class. */
  get<T extends Application>(cls: abstract new (...args: never[]) => T): T {
    const name = applicationName(cls, undefined);
    const app = this.apps.get(name);
    if (app === undefined || !(app instanceof cls)) {
      throw new Error(
        `No application of class ${cls.name} in the system (it has ` +
          `${[...this.apps.keys()].join(', ')}): give the class that was in the system's pipes.`,
      );
    }
    return app;
  }

  /** The followers, by name. */
  protected followers(): Map<string, Follower> {
    const followers = new Map<string, Follower>();
    for (const name of this.system.followers) {
      const app = this.apps.get(name);
      if (app instanceof Follower) followers.set(name, app);
    }
    return followers;
  }

  /**
   * The runner's own promise: resolves after `timeout` ms, when `signal` aborts, or when the
   * runner is stopped (the runner goes on running after a timeout or an abort: stop it then).
   * When processing fails (or has failed), stops the runner and rejects with its
   * `EventProcessingError`.
   *
   * @example
   * ```ts no-run
   * await runner.start();
   * const signal = AbortSignal.timeout(60_000);
   * await runner.runForever({ signal }); // rejects if a policy fails
   * await runner.stop();
   * ```
   */
  async runForever(options: RunForeverOptions = {}): Promise<void> {
    if (this.error === null && this.stopping === null) await this.waiters.wait(options);
    if (this.error === null) return;
    await this.stop();
    // stop() rejects with the error; this is for the type checker.
    throw this.error;
  }

  /**
   * Records the first processing error (processing stopped there) and settles `runForever`.
   * Subclasses call it where processing fails.
   */
  protected failWith(error: EventProcessingError): void {
    if (this.error === null) this.error = error;
    this.waiters.wakeAll();
  }

  /** Starts processing; a second call is a `RunnerAlreadyStartedError`. */
  async start(): Promise<void> {
    if (this.isStarted) throw new RunnerAlreadyStartedError();
    this.isStarted = true;
    await this.startRunning();
  }

  /**
   * Stops processing and closes the applications. Rejects with the `EventProcessingError` of
   * a failed processing (every call does).
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAndClose();
    this.waiters.wakeAll();
    return this.stopping;
  }

  /** Stops the runner at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Starts the runner's processing (called once, by `start()`). */
  protected abstract startRunning(): Promise<void>;

  /** Stops the runner's processing (called once, by `stop()`, before the apps close). */
  protected abstract stopRunning(): Promise<void>;

  private async stopAndClose(): Promise<void> {
    let failure: unknown = null;
    try {
      await this.stopRunning();
    } catch (error) {
      failure = error;
    }
    const closed = await Promise.allSettled([...this.apps.values()].map((app) => app.close()));
    if (this.error !== null) throw this.error;
    if (failure !== null) throw failure;
    for (const result of closed) if (result.status === 'rejected') throw result.reason;
  }
}
