import type { NotificationLog } from '../application/notification-log.js';
import { ProcessingEvent } from '../application/processing-event.js';
import type { DomainEventLike } from '../domain/protocols.js';
import { MemoryFactory } from '../memory/memory-factory.js';
import type { Mapper } from '../persistence/mapper.js';
import type { Recording } from '../persistence/recording.js';
import type { Notification, Tracking } from '../persistence/stored-event.js';
import { EventSourcedProjection } from '../projection/event-sourced-projection.js';
import { instrumentation } from '../telemetry/instrumentation.js';
import { withTraceContext } from '../telemetry/trace-context.js';
import { NotificationLogReader } from './notification-log-reader.js';

/** Options of `Follower.pullAndProcess`. */
export interface PullAndProcessOptions {
  /**
   * Processes the notifications after this id (default: the recorded position), as Python's
   * `start` does. A start below the recorded position meets the tracking's `IntegrityError`.
   */
  start?: number;
  /** The last notification id to process (default: the end of the log). */
  stop?: number;
}

/**
 * An application that follows other applications (Python's `Follower`): `follow(name, log)`
 * gives it a leader's notification log, `pullAndProcess(name)` reads the leader's new
 * notifications, turns them into domain events with a mapper configured for that leader, and
 * processes each with `processEvent` (its `policy`, then its events and the tracking recorded
 * in one transaction). Runners call `pullAndProcess`; it can also be called by hand.
 *
 * The static `topics` (empty: every event) filters the leader's events given to `policy`; the
 * tracking of an event filtered out is recorded no later than the end of the batch read.
 *
 * @example
 * ```ts no-run
 * class EmailProcess extends Follower {
 *   override policy(event: DomainEventLike, processingEvent: ProcessingEvent) {
 *     if (event instanceof BankAccount.Opened) {
 *       processingEvent.collectEvents(new EmailNotification(event.emailAddress, 'Welcome'));
 *     }
 *   }
 * }
 * ```
 */
export class Follower extends EventSourcedProjection {
  /**
   * How many notifications `pullAndProcess` reads at once from a local log; a remote log
   * (`NotificationLogJSONClient`) is read in its larger pages (`selectLimit`, 1,000).
   */
  static pullSectionSize = 10;

  /** The readers of the followed leaders' notification logs, by leader name. */
  readonly readers = new Map<string, NotificationLogReader>();
  /** The mappers of the followed leaders' events, by leader name. */
  readonly mappers = new Map<string, Mapper>();

  /**
   * Follows a leader: its log is read with a `NotificationLogReader` of `pullSectionSize`, and
   * its events decoded by a mapper configured from this application's environment under the
   * leader's name (`LEADERNAME_CIPHER_KEY`, `LEADERNAME_COMPRESSOR_TOPIC`, … before the plain
   * keys).
   */
  follow(leaderName: string, notificationLog: NotificationLog): void {
    if (typeof leaderName !== 'string' || leaderName === '') {
      throw new TypeError(
        `follow() needs the leader's application name, got ${String(leaderName)}.`,
      );
    }
    const cls = this.constructor as typeof Follower;
    this.readers.set(leaderName, new NotificationLogReader(notificationLog, cls.pullSectionSize));
    const factory = new MemoryFactory(this.env.withName(leaderName));
    this.mappers.set(
      leaderName,
      withTraceContext(factory.mapper(this.constructTranscoder()), factory.env),
    );
  }

  /**
   * Processes the leader's notifications after `start` (default: the recorded position) up to
   * `stop`, in order, one `processEvent` each. A notification already processed is an
   * `IntegrityError` (nothing of it is recorded).
   */
  async pullAndProcess(leaderName: string, options: PullAndProcessOptions = {}): Promise<void> {
    const reader = this.readers.get(leaderName);
    if (reader === undefined) {
      throw new Error(
        `${this.name} does not follow ${leaderName}: call follow('${leaderName}', ` +
          `leader.notificationLog) first (a runner does it for the system's pipes).`,
      );
    }
    const start = options.start ?? (await this.recorder.maxTrackingId(leaderName)) ?? 0;
    const selection = reader.select({ start, stop: options.stop ?? null, inclusiveOfStart: false });
    for await (const notifications of selection) {
      await this.processNotifications(leaderName, notifications);
    }
  }

  /**
   * Processes recordings the leader has just saved (its prompt's), with the domain events it
   * saved rather than decoding them again from its log (Python's `NewSingleThreadedRunner`
   * does the same), when they are the next notifications after this follower's tracking of
   * the leader: those already processed are skipped. Resolves `false`, having processed
   * nothing, when they are not the next (a gap: pull instead, with `pullAndProcess`).
   */
  async processRecordings(leaderName: string, recordings: readonly Recording[]): Promise<boolean> {
    const position = (await this.recorder.maxTrackingId(leaderName)) ?? 0;
    const next = recordings.filter((recording) => recording.notification.id > position);
    for (let i = 0; i < next.length; i++) {
      if ((next[i] as Recording).notification.id !== position + 1 + i) return false;
    }
    await this.processInOrder(
      leaderName,
      next.map((recording) => recording.notification),
      (i) => (next[i] as Recording).domainEvent,
    );
    return true;
  }

  /**
   * Processes a batch of the leader's notifications: those of `topics` with `processEvent`,
   * and the tracking of the last one alone when it was filtered out.
   */
  protected processNotifications(
    leaderName: string,
    notifications: readonly Notification[],
  ): Promise<void> {
    return this.processInOrder(leaderName, notifications, (i) =>
      this.convertNotification(leaderName, notifications[i] as Notification),
    );
  }

  /** Processes notifications in order, the domain event of the i-th given by `eventOf(i)`. */
  private processInOrder(
    leaderName: string,
    notifications: readonly Notification[],
    eventOf: (index: number) => DomainEventLike,
  ): Promise<void> {
    const telemetry = instrumentation.current;
    const n = notifications.length;
    if (telemetry?.enabled && n > 0) {
      const batch = {
        consumer: this.name,
        upstream: leaderName,
        items: null,
        count: n,
        firstId: (notifications[0] as Notification).id,
        lastId: (notifications[n - 1] as Notification).id,
        trackingId: (notifications[n - 1] as Notification).id,
        root: false,
      };
      return telemetry.traceBatch(batch, () =>
        this.processInOrderNow(leaderName, notifications, eventOf),
      );
    }
    return this.processInOrderNow(leaderName, notifications, eventOf);
  }

  private async processInOrderNow(
    leaderName: string,
    notifications: readonly Notification[],
    eventOf: (index: number) => DomainEventLike,
  ): Promise<void> {
    const topics = (this.constructor as typeof Follower).topics;
    let pending: Tracking | null = null;
    for (let i = 0; i < notifications.length; i++) {
      const notification = notifications[i] as Notification;
      const tracking: Tracking = { applicationName: leaderName, notificationId: notification.id };
      if (topics.length > 0 && !topics.includes(notification.topic)) {
        pending = tracking;
        continue;
      }
      pending = null;
      await this.processEvent(eventOf(i), tracking);
    }
    if (pending !== null) await this.record(new ProcessingEvent(pending));
  }

  /** The leader's notification as a domain event, decoded by the leader's mapper. */
  protected convertNotification(leaderName: string, notification: Notification): DomainEventLike {
    const mapper = this.mappers.get(leaderName);
    if (mapper === undefined) {
      throw new Error(`${this.name} has no mapper for ${leaderName}: call follow() first.`);
    }
    return mapper.toDomainEvent(notification);
  }
}
