import { randomUUID } from 'node:crypto';
import { describeValue } from '../utils/describe-value.js';
import { AggregateCreated } from './aggregate-created.js';
import { AggregateEvent } from './aggregate-event.js';
import { checkAggregateClass } from './check-aggregate-class.js';
import { checkCreatedId } from './check-created-id.js';
import type { EventClass, EventFields, FieldsArgument } from './domain-event.js';
import { type AggregateInit, checkedClasses, decoratedOriginals, runtime } from './internal.js';
import { KEEP_NAMES_ADVICE, parametersLookMangled } from './mangled-names.js';
import { parseFunctionParameters } from './parse-params.js';
import type { AggregateLike, CollectEvents } from './protocols.js';
import { Snapshot } from './snapshot.js';
import { getTopic } from './topics.js';
import { eventMembersMessage, undecoratedEventMembers } from './undecorated-event-members.js';

/** The fields `triggerEvent` takes: the event's own fields, and optionally its timestamp. */
export type TriggerFields<E> = Omit<
  EventFields<E>,
  'originatorId' | 'originatorVersion' | 'timestamp'
> & {
  /** When the event happened (default: now). */
  timestamp?: Date;
};

/** The fields `Aggregate._create` takes: the created event's own fields, an optional id and timestamp. */
export type CreateFields<E> = Omit<
  EventFields<E>,
  'originatorId' | 'originatorVersion' | 'timestamp' | 'originatorTopic'
> & {
  /** The new aggregate's id (default: what the class's `createId` returns). */
  id?: string;
  /** When the aggregate was created (default: now). */
  timestamp?: Date;
};

/** The static side of an aggregate class, as `_create` needs it. */
export interface AggregateClass<A> {
  new (...args: never[]): A;
  /** The prototype of its aggregates. */
  readonly prototype: A;
  /** The class's name. */
  readonly name: string;
  /** The version of the created event (1). */
  readonly INITIAL_VERSION: number;
  /** Makes the id of a new aggregate from the created event's fields (a random UUID by default). */
  createId(...args: never[]): string;
}

/** `createId`'s parameter names, read once per function (for `_create`, which has fields by name). */
const createIdParams = new WeakMap<object, readonly string[]>();

function createIdArgs(cls: AggregateClass<unknown>, fields: Record<string, unknown>): unknown[] {
  const createId = cls.createId as (...args: never[]) => string;
  if (createId === Aggregate.createId) return [];
  let names = createIdParams.get(createId);
  if (names === undefined) {
    try {
      names = parseFunctionParameters(createId);
    } catch (error) {
      throw new TypeError(
        `Cannot read the parameters of ${cls.name}.createId (${(error as Error).message}), so ` +
          `_create cannot pass it the event's fields by name. Pass 'id' to _create explicitly.`,
      );
    }
    // A minifier renames parameters: their names would pick no field, and every id would be
    // made of undefined values (the same id for every aggregate).
    if (parametersLookMangled(names, cls)) {
      throw new TypeError(
        `The parameters of ${cls.name}.createId (${names.join(', ')}) look renamed by a ` +
          "minifier, so _create cannot pass it the event's fields by name. Pass 'id' to _create " +
          `explicitly (computed from the fields), or keep parameter names in the build. ${KEEP_NAMES_ADVICE}`,
      );
    }
    createIdParams.set(createId, names);
  }
  const missing = names.filter((name) => !(name in fields));
  if (missing.length > 0) {
    throw new TypeError(
      `${cls.name}.createId takes ${missing.map((n) => `'${n}'`).join(', ')}, which the ` +
        `created event has no field for (its fields: ${Object.keys(fields).join(', ') || 'none'}). ` +
        "Name createId's parameters after the event's fields, or pass 'id' to _create.",
    );
  }
  return names.map((name) => fields[name]);
}

/** The error for constructing an aggregate class with `new` when that records no event. */
function constructionError(cls: object): Error {
  const name = (cls as { name: string }).name;
  if (decoratedOriginals.has(cls)) {
    return new TypeError(
      `${name} was constructed without its @aggregate decoration. Inside the class body, ` +
        `esbuild (and so tsx) binds the class name to the undecorated class: write ` +
        `'new this(...)' in static methods instead of 'new ${name}(...)'.`,
    );
  }
  const members = undecoratedEventMembers(cls);
  if (members.length > 0) return new TypeError(eventMembersMessage(name, members));
  return new TypeError(
    `${name} cannot be constructed with 'new' because it is not decorated with @aggregate. ` +
      `Decorate it with @aggregate (its constructor's parameters then define the created ` +
      `event), or create it with ${name}._create(SomeCreatedEvent, { ... }) using an explicit ` +
      `created event class (and registerAggregate(${name}) so its topics are known).`,
  );
}

/**
 * Creates an aggregate of class `cls` from a created event class and its fields (what
 * `Aggregate._create` does, as a function).
 */
export function createAggregate<A extends Aggregate, E extends AggregateCreated>(
  cls: AggregateClass<A>,
  eventClass: EventClass<E>,
  given?: CreateFields<E>,
): A {
  if (!checkedClasses.has(cls)) checkAggregateClass(cls);
  if (
    typeof eventClass !== 'function' ||
    !(
      eventClass.prototype instanceof AggregateCreated ||
      (eventClass as unknown) === AggregateCreated
    )
  ) {
    throw new TypeError(
      `${cls.name}._create() needs a created event class (extending Aggregate.Created), got ` +
        `${describeValue(eventClass)}.`,
    );
  }
  const fields = (given ?? {}) as Record<string, unknown>;
  const id = checkCreatedId(
    cls,
    fields.id ??
      (cls.createId as (...args: unknown[]) => string)(
        ...createIdArgs(cls as AggregateClass<unknown>, fields),
      ),
  );
  const event = Object.create(eventClass.prototype) as Record<string, unknown>;
  event.originatorId = id;
  event.originatorVersion = cls.INITIAL_VERSION;
  event.timestamp = fields.timestamp ?? new Date();
  event.originatorTopic = getTopic(cls);
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined && key !== 'id' && key !== 'timestamp') event[key] = value;
  }
  Object.freeze(event);
  const aggregate = (event as unknown as AggregateCreated).mutate(null) as unknown as A;
  aggregate.pendingEvents.push(event as unknown as AggregateEvent);
  return aggregate;
}

/**
 * The base class of event-sourced aggregates. Its state changes only by events: commands
 * trigger events (with `triggerEvent`, or by calling `@event` methods), each event is applied
 * at once and held in `pendingEvents` until `collectEvents()` hands it to the application to save.
 *
 * Construct aggregates through `@aggregate` classes (`new Dog('Fido')`) or with
 * `Dog._create(Dog.Registered, { name })`; the repository reconstructs them from their events.
 * State is kept in plain own properties (use TypeScript `private`, not `#private`: snapshots and
 * the application's cache copy own properties).
 */
export class Aggregate implements AggregateLike, CollectEvents {
  /** The aggregate's id (a UUID string by default; see `createId`). */
  declare readonly id: string;
  /** The version of the last event applied (the created event has `INITIAL_VERSION`). */
  declare version: number;
  /** When the aggregate was created (the created event's timestamp). */
  declare readonly createdOn: Date;
  /** When the aggregate last changed (the last event's timestamp). */
  declare modifiedOn: Date;
  /** Events triggered but not yet collected (to be saved), oldest first. */
  declare pendingEvents: AggregateEvent[];

  /** The version of an aggregate's first event; a subclass may set it to 0. */
  static INITIAL_VERSION = 1;
  /** The base class of this aggregate's events (subclasses may declare their own). */
  static Event = AggregateEvent;
  /** The base class of this aggregate's created events. */
  static Created = AggregateCreated;
  /** The snapshot class used to snapshot this aggregate. */
  static Snapshot = Snapshot;

  /**
   * Makes the id of a new aggregate: a random UUID. Override it for deterministic ids; it is
   * called with the constructor's arguments (for `@aggregate` classes), or, by `_create`, with
   * the created event's fields matched to its parameter names.
   */
  static createId(..._args: unknown[]): string {
    return randomUUID();
  }

  /**
   * Creates an aggregate of this class from an explicit created event class: the event gets the
   * given fields, the id (from `fields.id`, else `createId`), version `INITIAL_VERSION` and the
   * class's topic; the aggregate is constructed from it and the event becomes its first pending
   * event.
   */
  static _create<A extends Aggregate, E extends AggregateCreated>(
    this: AggregateClass<A>,
    eventClass: EventClass<E>,
    ...rest: FieldsArgument<CreateFields<E>>
  ): A {
    return createAggregate(this, eventClass, rest[0]);
  }

  constructor() {
    const cls = new.target;
    const init: AggregateInit | null = runtime.init;
    if (init === null || init.target !== cls) throw constructionError(cls);
    if (!checkedClasses.has(cls)) checkAggregateClass(cls);
    runtime.init = null;
    // The constructor (of an @aggregate class) applies the created event.
    runtime.applying = this;
    this.id = init.id;
    this.version = init.version;
    this.createdOn = init.timestamp;
    this.modifiedOn = init.timestamp;
    this.pendingEvents = [];
  }

  /** Removes and returns the pending events, oldest first (the application saves them). */
  collectEvents(): AggregateEvent[] {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    return events;
  }

  /**
   * Triggers an event of the given class: it gets this aggregate's id, the next version, the
   * given fields and a timestamp (now, unless given), is applied to this aggregate (its
   * `mutate`), then appended to the pending events. An exception while applying it leaves the
   * aggregate's version, `modifiedOn` and pending events unchanged. Returns the event.
   */
  triggerEvent<E extends AggregateEvent>(
    eventClass: EventClass<E>,
    ...rest: FieldsArgument<TriggerFields<E>>
  ): E {
    const event = Object.create(eventClass.prototype) as Record<string, unknown>;
    event.originatorId = this.id;
    event.originatorVersion = this.version + 1;
    const fields = rest[0] as Record<string, unknown> | undefined;
    event.timestamp = fields?.timestamp ?? new Date();
    if (fields !== undefined) {
      for (const key in fields) {
        const value = fields[key];
        if (value !== undefined) event[key] = value;
      }
    }
    Object.freeze(event);
    const typed = event as unknown as E;
    if (typeof typed.mutate !== 'function') {
      throw new TypeError(
        `Cannot trigger ${describeValue(eventClass)} on ${this.constructor.name}: it is not an ` +
          `aggregate event class (extend ${this.constructor.name}.Event or Aggregate.Event).`,
      );
    }
    typed.mutate(this);
    this.pendingEvents.push(typed);
    return typed;
  }
}

runtime.aggregatePrototype = Aggregate.prototype;
checkedClasses.add(Aggregate);
