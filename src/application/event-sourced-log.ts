import type { DomainEventLike } from '../domain/protocols.js';
import { getTopic } from '../domain/topics.js';
import type { EventStore } from '../persistence/event-store.js';
import type { SelectEventsOptions } from '../persistence/recorders.js';

/** A class of events that an `EventSourcedLog` appends. */
export type LoggedEventClass<E extends DomainEventLike> = abstract new (...args: never[]) => E;

/** The fields of a logged event other than its originator id and version. */
export type LoggedEventFields<E> = Omit<E, 'originatorId' | 'originatorVersion' | 'timestamp'> & {
  /** When the event was logged (default: now). */
  timestamp?: Date;
};

/** Options of `EventSourcedLog.triggerEvent`. */
export interface TriggerLoggedEventOptions {
  /** The version of the new event (default: one more than the last logged event's). */
  nextOriginatorVersion?: number;
}

/**
 * An append-only log of events under one originator id, read without reconstructing any state:
 * for example a log of the ids of all the aggregates of a kind, to discover or page through them.
 * New events are saved with `app.save(event)`; two writers appending the same version conflict
 * like any other save (`IntegrityError`).
 */
export class EventSourcedLog<
  E extends DomainEventLike & {
    /** When the event was logged. */
    readonly timestamp?: Date;
  },
> {
  /** The store the log's events are read from. */
  readonly events: EventStore;
  /** The id under which every event of the log is stored. */
  readonly originatorId: string;
  /** The class of the logged events. */
  readonly loggedClass: LoggedEventClass<E>;
  /** The version of the first event of a log. */
  readonly initialVersion: number;

  constructor(
    events: EventStore,
    originatorId: string,
    loggedClass: LoggedEventClass<E>,
    initialVersion = 1,
  ) {
    this.events = events;
    this.originatorId = originatorId;
    this.loggedClass = loggedClass;
    this.initialVersion = initialVersion;
    // Registers the class's topic now, so that a process that reads the log before it writes to
    // it can resolve the topic.
    getTopic(loggedClass);
  }

  /** A new event for the end of the log (not yet saved: pass it to `app.save`). */
  async triggerEvent(
    fields: LoggedEventFields<E>,
    options: TriggerLoggedEventOptions = {},
  ): Promise<E> {
    let version = options.nextOriginatorVersion;
    if (version === undefined) {
      const last = await this.getLast();
      version = last === null ? this.initialVersion : last.originatorVersion + 1;
    }
    const event = Object.create(this.loggedClass.prototype) as Record<string, unknown>;
    event.originatorId = this.originatorId;
    event.originatorVersion = version;
    event.timestamp = new Date();
    Object.assign(event, fields);
    return Object.freeze(event) as unknown as E;
  }

  /** The first event of the log, or `null` when it is empty. */
  async getFirst(): Promise<E | null> {
    const [first] = await this.get({ limit: 1 });
    return first ?? null;
  }

  /** The last event of the log, or `null` when it is empty. */
  async getLast(): Promise<E | null> {
    const [last] = await this.get({ desc: true, limit: 1 });
    return last ?? null;
  }

  /** Events of the log, selected by version like `EventStore.get`. */
  async get(options: SelectEventsOptions = {}): Promise<E[]> {
    return (await this.events.get(this.originatorId, options)) as E[];
  }
}
