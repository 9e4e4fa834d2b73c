/**
 * What the systems benchmark runs: a leader (the W1 dog school, which `System` makes lead) whose
 * every event a process application turns into one event of its own (a new `Relayed`
 * aggregate carrying the leader's notification id and when the policy ran). The leader notes
 * when each of its events was committed (`notify` runs after the commit and before the
 * followers are prompted), so the lag of each event is the follower's stamp minus the
 * leader's. Stamps are wall-clock milliseconds (`performance.timeOrigin + performance.now()`),
 * so they compare across processes (MultiProcessRunner's followers run in child processes).
 *
 * The classes are named after the run's store (`EVENTSOURCING_BENCH_SYSTEM`, set by the
 * benchmark before it imports bench/system-module.ts, and inherited by MultiProcessRunner's
 * children), so PostgreSQL tables carry the store's prefix and are dropped with it.
 */
import { Aggregate, aggregate, type DomainEventLike } from 'eventsourcing/domain';
import type { Recording } from 'eventsourcing/persistence';
import { ProcessApplication, type ProcessingEvent, System } from 'eventsourcing/system';
import { DogSchool } from './dog-school.js';
import { namedClass } from './projection-subjects.js';

/** The environment variable naming the system's classes (the store's application name). */
export const SYSTEM_NAME_ENV = 'EVENTSOURCING_BENCH_SYSTEM';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The leader: the W1 dog school, noting when each of its notifications was committed. */
export class StampedSchool extends DogSchool {
  /** Commit times (wall-clock ms) by notification id, of every instance in this process. */
  static readonly committed = new Map<number, number>();

  protected override notify(recordings: Recording[]): void {
    const now = wallClockMs();
    for (const recording of recordings) StampedSchool.committed.set(recording.notification.id, now);
    super.notify(recordings);
  }
}

/** The follower's aggregate: one per leader event. */
@aggregate('Made')
export class Relayed extends Aggregate {
  upstreamId: string;
  upstreamVersion: number;
  /** The leader's notification id of the event this was made from. */
  notificationId: number;
  /** When the policy ran (wall-clock ms). */
  processedAt: number;

  constructor(
    upstreamId: string,
    upstreamVersion: number,
    notificationId: number,
    processedAt: number,
  ) {
    super();
    this.upstreamId = upstreamId;
    this.upstreamVersion = upstreamVersion;
    this.notificationId = notificationId;
    this.processedAt = processedAt;
  }
}

/** The process application: one `Relayed` per leader event. */
export class Relay extends ProcessApplication {
  override policy(domainEvent: DomainEventLike, processingEvent: ProcessingEvent): void {
    processingEvent.collectEvents(
      new Relayed(
        domainEvent.originatorId,
        domainEvent.originatorVersion,
        processingEvent.tracking?.notificationId ?? 0,
        wallClockMs(),
      ),
    );
  }
}

/** The classes of a system whose names start with `prefix`. */
export interface SystemClasses {
  readonly leader: typeof StampedSchool;
  readonly follower: typeof Relay;
  readonly system: System;
}

const made = new Map<string, SystemClasses>();

/** The leader and follower classes named after `prefix`, and their system (made once). */
export function systemClasses(prefix: string): SystemClasses {
  let classes = made.get(prefix);
  if (classes === undefined) {
    const leader = namedClass(StampedSchool, `${prefix}School`);
    const follower = namedClass(Relay, `${prefix}Relay`);
    classes = { leader, follower, system: new System([[leader, follower]]) };
    made.set(prefix, classes);
  }
  return classes;
}
