import type { Application } from '../application/application.js';
import type { NotificationLog } from '../application/notification-log.js';
import { ErrorReporter } from '../persistence/error-reporter.js';
import { DEFAULT_BATCH_SIZE } from '../projection/base-projection-runner.js';
import { EventProcessingError } from './errors.js';
import type { Follower } from './follower.js';
import { FollowerEdge } from './follower-edge.js';
import { Runner, type RunnerOptions } from './runner.js';
import { SerialQueue } from './serial-queue.js';
import type { System } from './system.js';

/** Options of `ConcurrentRunner`. */
export interface ConcurrentRunnerOptions extends RunnerOptions {
  /** The most upstream events per page and per transaction (default 1000). */
  batchSize?: number;
  /**
   * The notification logs of leaders that run elsewhere, by leader name: followers read those
   * leaders from these logs instead of from the leaders' recorders, so that a system spans
   * machines that share no database. Typically
   * `new NotificationLogJSONClient(new HttpNotificationLogInterface(url))` for a leader served
   * with `createNotificationLogHandler`: its stream wakes the followers, and when it has none
   * they poll every `pollInterval`. (The leader's class is still constructed here, unused.)
   */
  leaderLogs?: Readonly<Record<string, NotificationLog>>;
  /**
   * Milliseconds between reads of a leader's log in `leaderLogs` that cannot push new
   * notifications (default 1000).
   */
  pollInterval?: number;
}

/** Options of `ConcurrentRunner.watchForErrors`. */
export interface WatchForErrorsOptions {
  /** Milliseconds after which it resolves `false` (default: never). */
  timeout?: number;
}

/**
 * Runs a system in this event loop with one processing loop per follower (Python's
 * `MultiThreadedRunner`): each follower subscribes to the recorder of each of its leaders from
 * its tracking of that leader, and processes what arrives a page at a time (`processBatch`:
 * the page's events and its tracking in one transaction, so each upstream event is processed
 * exactly once). A follower processes one page at a time, whichever leader it came from;
 * different followers process at the same time. Events saved before `start()` are processed
 * after it. `save()` does not wait for followers: wait for a follower's tracking
 * (`follower.recorder.wait(leaderName, notificationId)`).
 *
 * Errors that may pass (a lost connection, a lock timeout) are retried with backoff from the
 * follower's recorded tracking. Any other processing error stops the runner: `hasErrored`
 * becomes true, `watchForErrors` stops the runner and rejects with an `EventProcessingError`
 * (its `cause` the original error), and so does every `stop()`.
 *
 * @example
 * ```ts no-run
 * await using runner = new ConcurrentRunner(new System([[BankAccounts, EmailProcess]]), { env });
 * await runner.start();
 * await runner.get(BankAccounts).openAccount('Alice', 'alice@example.com');
 * const last = (await runner.get(BankAccounts).recorder.maxNotificationId())!;
 * await runner.get(EmailProcess).recorder.wait('BankAccounts', last, { timeout: 5000 });
 * ```
 */
export class ConcurrentRunner extends Runner {
  private readonly batchSize: number;
  private readonly leaderLogs: ReadonlyMap<string, NotificationLog>;
  private readonly pollInterval: number | undefined;
  private readonly reporter: ErrorReporter;
  private readonly control = new AbortController();
  private readonly edges: FollowerEdge[] = [];
  private loops: Promise<void>[] = [];

  constructor(system: System, options: ConcurrentRunnerOptions = {}) {
    super(system, options);
    const { batchSize = DEFAULT_BATCH_SIZE, onError } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      for (const app of this.apps.values()) app.close().catch(() => {});
      throw new RangeError(
        `batchSize must be a positive integer (got ${String(batchSize)}): the most events ` +
          'per page and per transaction, 1000 by default.',
      );
    }
    this.batchSize = batchSize;
    try {
      this.leaderLogs = followLeaderLogs(system, this.apps, options.leaderLogs ?? {});
    } catch (error) {
      for (const app of this.apps.values()) app.close().catch(() => {});
      throw error;
    }
    this.pollInterval = options.pollInterval;
    this.reporter = new ErrorReporter(() => onError);
  }

  /** Whether processing has failed (the runner stopped processing there). */
  get hasErrored(): boolean {
    return this.error !== null;
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

  protected override async startRunning(): Promise<void> {
    const signal = this.control.signal;
    for (const follower of this.followers().values()) {
      this.loops.push(this.runFollower(follower, signal));
    }
  }

  /**
   * Runs a follower until `signal` aborts: by default its edges (`runEdges`). A subclass may
   * wrap them (e.g. in an ownership lock). Reports failures with `fail`; never rejects.
   */
  protected runFollower(follower: Follower, signal: AbortSignal): Promise<void> {
    return this.runEdges(follower, signal);
  }

  /**
   * Processes the follower's leaders' events (one edge per leader, through one queue) until
   * `signal` aborts or an edge fails (the runner's error: `fail`). Resolves when every edge
   * has returned. An error after `lost` aborted (this process no longer owns the follower) is
   * reported as retried, not the runner's error: the transaction under way may meet the new
   * owner's tracking (an IntegrityError), and whoever owns the follower next processes from
   * the recorded tracking, meeting any real policy error again.
   */
  protected async runEdges(
    follower: Follower,
    signal: AbortSignal,
    lost: AbortSignal | null = null,
  ): Promise<void> {
    const queue = new SerialQueue();
    const edges: FollowerEdge[] = [];
    for (const leaderName of this.system.follows.get(follower.name) ?? []) {
      const leader = this.apps.get(leaderName) as Application;
      edges.push(
        new FollowerEdge({
          leader,
          follower,
          queue,
          batchSize: this.batchSize,
          reporter: this.reporter,
          log: this.leaderLogs.get(leaderName) ?? null,
          pollInterval: this.pollInterval,
        }),
      );
    }
    this.edges.push(...edges);
    const stopEdges = (): void => {
      for (const edge of edges) edge.stop();
    };
    signal.addEventListener('abort', stopEdges, { once: true });
    try {
      await Promise.all(
        edges.map((edge) =>
          edge.run(signal).catch((cause: unknown) => {
            if (lost?.aborted) this.reportRetried(cause);
            else this.fail(cause, edge.description);
          }),
        ),
      );
    } finally {
      signal.removeEventListener('abort', stopEdges);
      for (const edge of edges) this.edges.splice(this.edges.indexOf(edge), 1);
    }
  }

  /** Tells `onError` (or warns once) of an error that is retried. */
  protected reportRetried(error: unknown): void {
    this.reporter.report(error, 'system');
  }

  protected override async stopRunning(): Promise<void> {
    this.interrupt();
    await Promise.all(this.loops);
  }

  /** Stops the runner with its first processing error. */
  protected fail(cause: unknown, context: string): void {
    if (this.error !== null) return;
    this.failWith(EventProcessingError.from(cause, context));
    this.interrupt();
  }

  private interrupt(): void {
    this.control.abort();
    for (const edge of this.edges) edge.stop();
  }
}

/**
 * Makes the followers of each leader in `logs` follow that log instead of the leader's own,
 * after checking that each name is a leader of the system.
 */
function followLeaderLogs(
  system: System,
  apps: ReadonlyMap<string, Application>,
  logs: Readonly<Record<string, NotificationLog>>,
): Map<string, NotificationLog> {
  const byName = new Map(Object.entries(logs));
  for (const [leaderName, log] of byName) {
    if (!system.leads.has(leaderName)) {
      throw new TypeError(
        `leaderLogs: ${leaderName} is not a leader of the system (its leaders: ${
          system.leaders.join(', ') || 'none'
        }).`,
      );
    }
    if (log === null || typeof log !== 'object' || typeof log.select !== 'function') {
      throw new TypeError(
        `leaderLogs.${leaderName} must be a NotificationLog (e.g. a NotificationLogJSONClient), ` +
          `got ${String(log)}.`,
      );
    }
    for (const [leader, followerName] of system.edges) {
      if (leader === leaderName) (apps.get(followerName) as Follower).follow(leaderName, log);
    }
  }
  return byName;
}
