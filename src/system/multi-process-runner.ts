import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Application } from '../application/application.js';
import { type ErrorHook, ErrorReporter } from '../persistence/error-reporter.js';
import type { EnvType } from '../utils/environment.js';
import {
  CHILD_CONFIG_VAR,
  type ChildConfig,
  type ChildMessage,
  deserializeError,
} from './child-messages.js';
import type { WatchForErrorsOptions } from './concurrent-runner.js';
import { EventProcessingError, RunnerAlreadyStartedError } from './errors.js';
import { hostedFollowers, requireSharedDatabase } from './follower-host.js';
import { type RunForeverOptions, Runner } from './runner.js';
import type { System } from './system.js';
import {
  checkSystemReference,
  importSystem,
  moduleSpecifier,
  type SystemReference,
} from './system-reference.js';
import { Waiters } from './waiters.js';

const FIRST_RESTART_DELAY = 100;
const MAX_RESTART_DELAY = 5000;
/** A child that lived this long before exiting is restarted after the first delay again. */
const STABLE_MS = 10_000;

/** Options of `MultiProcessRunner`. */
export interface MultiProcessRunnerOptions {
  /**
   * Environment variables of every application (scoped keys: `APPNAME_…`), in this process
   * and in the children (default: `process.env`, which the children inherit).
   */
  env?: EnvType;
  /** The names of the followers to run, a child each (default: every follower). */
  only?: readonly string[];
  /** The most upstream events per page and per transaction (default 1000). */
  batchSize?: number;
  /**
   * Told of errors that are retried: in a child (a lost connection: source `'system'`), a
   * child that exited unexpectedly and is restarted (source `'child'`), and those of this
   * process's applications (their pools and subscriptions). Without it, the first
   * of each source is a process warning.
   */
  onError?: ErrorHook;
  /** Milliseconds `stop()` waits for a child to exit before killing it (default 10,000). */
  stopTimeout?: number;
}

/** The applications of the parent: constructed with the runner's env; they process nothing. */
class ParentApplications extends Runner {
  protected override async startRunning(): Promise<void> {}
  protected override async stopRunning(): Promise<void> {}
}

/** One follower's child process, across its restarts. */
interface ChildSlot {
  readonly follower: string;
  process: ChildProcess | null;
  startedAt: number;
  delay: number;
  timer: NodeJS.Timeout | null;
  exited: Promise<void>;
  ready: boolean;
  /** Its child could not start the follower while the runner was starting: start() fails. */
  failedToStart: boolean;
  onReady: ((error?: Error) => void) | null;
}

/**
 * Runs each follower of a system in a child process of its own (Python's multiprocess runner):
 * the processes share nothing but the database (PostgreSQL, or one SQLite file per
 * application), so the system is given as a module reference, `{ module, export }`, which
 * every process imports. `start()` imports it here too and constructs the system's
 * applications in this process, for `get(App)` (to issue commands; they process nothing),
 * then starts a child per follower (node's `fork`, with this process's `execArgv`) and
 * resolves when each runs. A child runs its follower as `eventsourcing run` does
 * (`FollowerHost`): only while it owns the follower (a lock in the database), woken by the
 * database (LISTEN/NOTIFY on PostgreSQL, polling on SQLite).
 *
 * A child that exits unexpectedly (killed, crashed) is restarted with backoff and resumes from
 * its follower's tracking. A processing error in a child stops the runner (every child):
 * `hasErrored` becomes true, and `watchForErrors`, `runForever` and every `stop()` reject with
 * an `EventProcessingError` carrying the child's error as `cause`. `stop()` stops and waits
 * for every child and closes this process's applications. In memory it is an error: processes
 * cannot share memory.
 *
 * @example
 * ```ts no-run
 * const system = { module: import.meta.resolve('./system.js'), export: 'system' };
 * await using runner = new MultiProcessRunner(system, { env });
 * await runner.start();
 * await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
 * ```
 */
export class MultiProcessRunner implements AsyncDisposable {
  /** Where the system is defined. */
  readonly systemRef: SystemReference;
  /** The environment of the applications (undefined: `process.env`). */
  readonly env: EnvType | undefined;
  /** Whether `start()` has been called. */
  isStarted = false;
  private readonly only: readonly string[] | undefined;
  private readonly batchSize: number | null;
  private readonly stopTimeout: number;
  private readonly reporter: ErrorReporter;
  private readonly onError: ErrorHook | undefined;
  private parent: ParentApplications | null = null;
  private readonly slots = new Map<string, ChildSlot>();
  private error: EventProcessingError | null = null;
  private stopping: Promise<void> | null = null;
  private readonly waiters = new Waiters();

  constructor(systemRef: SystemReference, options: MultiProcessRunnerOptions = {}) {
    checkSystemReference(systemRef);
    const { batchSize, stopTimeout = 10_000, onError } = options;
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
      throw new RangeError(
        `batchSize must be a positive integer (got ${String(batchSize)}): the most events ` +
          'per page and per transaction, 1000 by default.',
      );
    }
    this.systemRef = { module: moduleSpecifier(systemRef.module), export: systemRef.export };
    this.env = options.env;
    this.only = options.only === undefined ? undefined : [...options.only];
    this.batchSize = batchSize ?? null;
    this.stopTimeout = stopTimeout;
    this.reporter = new ErrorReporter(() => onError);
    this.onError = onError;
  }

  /** The system run (after `start()`). */
  get system(): System {
    return this.started().system;
  }

  /** The process id of each follower's child, by follower name (those running now). */
  get pids(): ReadonlyMap<string, number> {
    const pids = new Map<string, number>();
    for (const [name, slot] of this.slots) {
      const pid = slot.process?.pid;
      if (pid !== undefined && slot.process?.exitCode === null) pids.set(name, pid);
    }
    return pids;
  }

  /** Whether processing has failed in a child (the runner stopped its children). */
  get hasErrored(): boolean {
    return this.error !== null;
  }

  /**
   * The system's application of the class, constructed in this process by `start()` (to issue
   * commands and read; it processes nothing). Before `start()` it is an error.
   */
  get<T extends Application>(cls: abstract new (...args: never[]) => T): T {
    return this.started().get(cls);
  }

  /**
   * Imports the system, constructs its applications here, and starts a child process per
   * follower; resolves when every child runs. A second call is a `RunnerAlreadyStartedError`.
   * Rejects (having stopped every child) when the system cannot be imported, a child cannot
   * start its follower, or the system's persistence is in memory.
   */
  async start(): Promise<void> {
    if (this.isStarted) throw new RunnerAlreadyStartedError();
    this.isStarted = true;
    const system = await importSystem(this.systemRef);
    const parent = new ParentApplications(system, { env: this.env, onError: this.onError });
    let followers: string[];
    try {
      followers = hostedFollowers(system, this.only);
      requireSharedDatabase(parent.apps, followers, 'MultiProcessRunner');
    } catch (error) {
      await parent.stop().catch(() => {});
      throw error;
    }
    this.parent = parent;
    const ready = followers.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const slot: ChildSlot = {
            follower: name,
            process: null,
            startedAt: 0,
            delay: FIRST_RESTART_DELAY,
            timer: null,
            exited: Promise.resolve(),
            ready: false,
            failedToStart: false,
            onReady: (error) => (error === undefined ? resolve() : reject(error)),
          };
          this.slots.set(name, slot);
          this.spawn(slot);
        }),
    );
    const settled = await Promise.allSettled(ready);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await this.stop().catch(() => {});
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  /**
   * Waits for a processing error: when one happens (or has happened), stops the runner and
   * rejects with its `EventProcessingError`. Resolves `false` after `timeout` ms without one,
   * and when the runner is stopped without one.
   */
  async watchForErrors(options: WatchForErrorsOptions = {}): Promise<boolean> {
    await this.runForever(options);
    return false;
  }

  /**
   * The runner's own promise: resolves after `timeout` ms, when `signal` aborts, or when the
   * runner is stopped; when processing fails (or has failed), stops the runner and rejects
   * with its `EventProcessingError`.
   */
  async runForever(options: RunForeverOptions = {}): Promise<void> {
    if (this.error === null && this.stopping === null) await this.waiters.wait(options);
    if (this.error === null) return;
    await this.stop();
    throw this.error;
  }

  /**
   * Stops every child (told over IPC, killed after `stopTimeout`), waits for them to exit, and
   * closes this process's applications: nothing is left running. Rejects with the
   * `EventProcessingError` of a failed processing (every call does).
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    this.waiters.wakeAll();
    return this.stopping;
  }

  /** Stops the runner at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private started(): ParentApplications {
    if (this.parent === null) {
      throw new Error(
        'MultiProcessRunner imports its system in start(): await runner.start() first, then ' +
          'get the applications.',
      );
    }
    return this.parent;
  }

  private async stopAll(): Promise<void> {
    const exits: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.timer = null;
      slot.onReady?.(new Error(`MultiProcessRunner was stopped before ${slot.follower} ran.`));
      slot.onReady = null;
      exits.push(this.stopChild(slot));
    }
    await Promise.all(exits);
    await this.parent?.stop();
    if (this.error !== null) throw this.error;
  }

  /** Tells a child to stop; kills it after `stopTimeout`. Resolves when it has exited. */
  private async stopChild(slot: ChildSlot): Promise<void> {
    const child = slot.process;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' }, () => {});
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.stopTimeout);
    await slot.exited;
    clearTimeout(timer);
  }

  private spawn(slot: ChildSlot): void {
    slot.timer = null;
    const config: ChildConfig = {
      module: this.systemRef.module,
      export: this.systemRef.export,
      follower: slot.follower,
      env: this.env === undefined ? null : definedOnly(this.env),
      batchSize: this.batchSize,
    };
    const child = fork(childEntry(), [], {
      execArgv: process.execArgv.filter((arg) => !/^--(test|inspect|watch)/.test(arg)),
      env: { ...process.env, [CHILD_CONFIG_VAR]: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    slot.process = child;
    slot.startedAt = performance.now();
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        slot.ready = true;
        slot.onReady?.();
        slot.onReady = null;
      } else if (message.type === 'retried') {
        this.reporter.report(deserializeError(message.error), message.source);
      } else if (message.type === 'error') {
        const cause = deserializeError(message.error);
        if (message.starting && slot.onReady !== null) {
          slot.failedToStart = true;
          slot.onReady(cause);
          slot.onReady = null;
        } else {
          this.fail(cause, slot.follower);
        }
      }
    });
    // A failure to spawn is followed by 'exit' (or 'close'): handled there.
    child.on('error', (error) => this.reporter.report(error, 'child'));
    slot.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        if (slot.process === child) slot.process = null;
        this.exited(slot, code, signal);
      });
    });
  }

  /** A child exited: when nobody asked it to, it is restarted with backoff. */
  private exited(slot: ChildSlot, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping !== null || this.error !== null || slot.failedToStart) return;
    if (performance.now() - slot.startedAt > STABLE_MS) slot.delay = FIRST_RESTART_DELAY;
    const delay = slot.delay;
    slot.delay = Math.min(slot.delay * 2, MAX_RESTART_DELAY);
    this.reporter.report(
      new Error(
        `The child process of ${slot.follower} exited unexpectedly (${
          signal ?? `code ${code}`
        }): restarting it in ${delay} ms; it resumes from its tracking.`,
      ),
      'child',
    );
    slot.timer = setTimeout(() => this.spawn(slot), delay);
  }

  private fail(cause: Error, follower: string): void {
    if (this.error === null) {
      this.error =
        cause instanceof EventProcessingError
          ? new EventProcessingError(`${cause.message} (in the child process of ${follower})`, {
              cause: (cause as { cause?: unknown }).cause ?? cause,
            })
          : EventProcessingError.from(cause, `the child process of ${follower}`);
    }
    // The runner stops processing: every other child stops too.
    for (const slot of this.slots.values()) {
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.timer = null;
      const child = slot.process;
      if (child?.connected) child.send({ type: 'stop' }, () => {});
    }
    this.waiters.wakeAll();
  }
}

/** The child's entry, beside this module (`.ts` under tsx, `.js` in dist/). */
function childEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./multi-process-child${extname(here)}`, import.meta.url));
}

/** The variables that are set (JSON drops undefined anyway; this says so). */
function definedOnly(env: EnvType): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) vars[key] = value;
  return vars;
}
