import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '../application/application.js';
import type { NotificationLog } from '../application/notification-log.js';
import type { ErrorReporter } from '../persistence/error-reporter.js';
import { IntegrityError } from '../persistence/errors.js';
import type { Tracking } from '../persistence/stored-event.js';
import {
  ApplicationSubscription,
  type TrackedEvent,
} from '../projection/application-subscription.js';
import type { ChunkProcessor } from '../projection/chunk-processor.js';
import { EventSourcedProcessor } from '../projection/event-sourced-processor.js';
import { isTransient } from '../projection/is-transient.js';
import { readThroughLog } from '../projection/read-through-log.js';
import { runPages } from '../projection/run-pages.js';
import { instrumentation } from '../telemetry/instrumentation.js';
import type { Follower } from './follower.js';
import type { SerialQueue } from './serial-queue.js';

const FIRST_RETRY_DELAY = 100;
const MAX_RETRY_DELAY = 2000;

/**
 * What a `FollowerEdge` is made of.
 *
 * @internal
 */
export interface FollowerEdgeParts {
  /** The leader application, whose recorder is subscribed to. */
  readonly leader: Application;
  /** The follower, which processes the leader's events (it follows the leader already). */
  readonly follower: Follower;
  /** The follower's queue, shared by the edges of all its leaders. */
  readonly queue: SerialQueue;
  /** The most events per page and per transaction. */
  readonly batchSize: number;
  /** Told of the errors that are retried (a lost connection, a lock timeout). */
  readonly reporter: ErrorReporter;
  /** The leader's log when it runs elsewhere (read instead of the leader's recorder). */
  readonly log?: NotificationLog | null;
  /** Milliseconds between reads of `log` when it cannot push (default 1000). */
  readonly pollInterval?: number | undefined;
}

/**
 * One edge of a system run by `ConcurrentRunner`: a subscription of the leader's recorder
 * from the follower's tracking of that leader (only the follower's topics), its pages decoded
 * with the follower's mapper for the leader and processed with the follower's `processBatch`
 * through the follower's queue (one page of one leader at a time per follower), each page's
 * events recorded with its tracking in one transaction. Errors that may pass are retried with
 * backoff from the follower's recorded position; any other error ends `run`.
 *
 * @internal
 */
export class FollowerEdge {
  /** Where processing happens, for messages: `"EmailProcess processing events of BankAccounts"`. */
  readonly description: string;
  private readonly parts: FollowerEdgeParts;
  private readonly source: Application;
  private subscription: ApplicationSubscription | null = null;

  constructor(parts: FollowerEdgeParts) {
    this.parts = parts;
    const { leader, follower } = parts;
    this.description = `${follower.name} processing events of ${leader.name}`;
    this.source = leaderSeenBy(follower, leader, parts.log ?? null, parts.pollInterval);
  }

  /**
   * Processes until `signal` aborts (then resolves, a transaction under way finishing first),
   * retrying what may pass; rejects with the first error that is not transient.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { leader, follower, log } = this.parts;
    // A leader read through its log elsewhere has no head to compare with.
    const stopObservingLag =
      log === null || log === undefined
        ? (instrumentation.current?.observeLag(follower.name, leader.name, async () => {
            const head = (await leader.recorder.maxNotificationId()) ?? 0;
            const position = (await follower.recorder.maxTrackingId(leader.name)) ?? 0;
            return Math.max(0, head - position);
          }) ?? null)
        : null;
    try {
      await this.runWithRetries(signal);
    } finally {
      stopObservingLag?.();
    }
  }

  private async runWithRetries(signal: AbortSignal): Promise<void> {
    let delay = FIRST_RETRY_DELAY;
    while (!signal.aborted) {
      try {
        await this.runOnce(signal, () => {
          delay = FIRST_RETRY_DELAY;
        });
        return;
      } catch (error) {
        // A policy error met while stopping is still the runner's error.
        if (!isTransient(error)) throw error;
        if (signal.aborted) return;
        this.parts.reporter.report(error, 'system');
        await sleep(delay, undefined, { signal }).catch(() => {});
        delay = Math.min(delay * 2, MAX_RETRY_DELAY);
      }
    }
  }

  /** Ends the subscription, so that a `run` waiting for events returns. Safe to repeat. */
  stop(): void {
    this.subscription?.stop();
  }

  private async runOnce(signal: AbortSignal, onCommit: () => void): Promise<void> {
    const { leader, follower, queue, batchSize } = this.parts;
    const inner = new EventSourcedProcessor(follower, leader.name);
    const processor = new QueuedProcessor(inner, queue, signal);
    const position = await processor.maxTrackingId();
    // A remote leader's log is not checked: its head is read with the first page.
    const head = this.parts.log ? position : await leader.recorder.maxNotificationId();
    if (position !== null && position > (head ?? 0)) {
      throw new IntegrityError(
        `${follower.name} has tracked notification ${position} of ${leader.name}, but that ` +
          `application's log ends at ${head ?? 'nothing (it is empty)'} (a restored or reset ` +
          'database?): reset the follower, or point both at the right databases.',
      );
    }
    if (signal.aborted) return;
    const topics = (follower.constructor as { readonly topics?: readonly string[] }).topics ?? [];
    const subscription = new ApplicationSubscription(this.source, {
      gt: position,
      topics,
      batchSize,
    });
    this.subscription = subscription;
    try {
      await runPages(subscription, processor, {
        batchSize,
        from: position,
        isStopped: () => signal.aborted,
        onProgress: onCommit,
        onRecovered: (error) => this.parts.reporter.report(error, 'system'),
        consumer: follower.name,
        upstream: leader.name,
      });
    } finally {
      subscription.stop();
      if (this.subscription === subscription) this.subscription = null;
    }
  }
}

/**
 * The leader as the follower reads it: the leader's name and recorder, and the follower's
 * mapper for the leader (made from the follower's environment scoped by the leader's name, as
 * `follow` made it), so that the follower decodes what it reads as `pullAndProcess` would.
 * A leader that runs elsewhere is subscribed to through its `log` instead of its recorder.
 */
function leaderSeenBy(
  follower: Follower,
  leader: Application,
  log: NotificationLog | null,
  pollInterval: number | undefined,
): Application {
  const mapper = follower.mappers.get(leader.name);
  if (mapper === undefined) {
    throw new Error(
      `${follower.name} does not follow ${leader.name}: call follower.follow(` +
        `'${leader.name}', leader.notificationLog) before running the edge.`,
    );
  }
  const source: Application = Object.create(
    log === null ? leader : readThroughLog(leader, log, { pollInterval }),
  );
  Object.defineProperty(source, 'mapper', { value: mapper });
  return source;
}

/**
 * A chunk processor whose calls go through a queue, one at a time with the queue's others. A
 * call whose turn comes after `signal` aborted (the runner is stopping, or another edge of the
 * follower failed) processes nothing: the loop returns at its next check of the signal, and
 * nothing is processed after a failure.
 */
class QueuedProcessor implements ChunkProcessor {
  readonly atomic: boolean;
  private readonly inner: ChunkProcessor;
  private readonly queue: SerialQueue;
  private readonly signal: AbortSignal;

  constructor(inner: ChunkProcessor, queue: SerialQueue, signal: AbortSignal) {
    this.inner = inner;
    this.queue = queue;
    this.signal = signal;
    this.atomic = inner.atomic;
  }

  processChunk(items: ReadonlyArray<TrackedEvent>, tracking: Tracking): Promise<void> {
    return this.queue.run(async () => {
      if (!this.signal.aborted) await this.inner.processChunk(items, tracking);
    });
  }

  processOne(item: TrackedEvent): Promise<void> {
    return this.queue.run(async () => {
      if (!this.signal.aborted) await this.inner.processOne(item);
    });
  }

  maxTrackingId(): Promise<number | null> {
    return this.inner.maxTrackingId();
  }
}
