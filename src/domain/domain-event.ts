import { describeValue } from '../utils/describe-value.js';

/** A function type, to leave methods out of an event's fields. */

/** The data fields of an event type: its properties that are not methods. */
export type EventFields<E> = {
  [K in keyof E as E[K] extends (...args: never[]) => unknown ? never : K]: E[K];
};

/** The fields given to `DomainEvent.create`: every data field, the timestamp optional. */
export type EventInit<E> = Omit<EventFields<E>, 'timestamp'> & {
  /** When the event happened (default: now). */
  timestamp?: Date;
};

/** Something whose instances are events of type `E` (an event class). */
export type EventClass<E> = (abstract new () => E) & {
  /** The prototype of its events. */
  readonly prototype: E;
};

/** A tuple of one optional argument when `F` has no required keys, else of one required argument. */
export type FieldsArgument<F> = {} extends F ? [fields?: F] : [fields: F];

/**
 * The base class of domain events: something that happened to one originator (usually an
 * aggregate) at one version, at one time. Events are immutable (frozen) once created.
 *
 * Subclasses declare their fields with `declare readonly trick: string` and never assign them in
 * a constructor: events are created (and decoded from storage) with
 * `Object.create(EventClass.prototype)` followed by assignment, like Python's `object.__new__`,
 * so a class field initialiser would never run, or would reset a decoded value.
 */
export class DomainEvent {
  /** The id of the aggregate (or other originator) the event belongs to. */
  declare readonly originatorId: string;
  /** The position of the event in its originator's sequence. */
  declare readonly originatorVersion: number;
  /** When the event was created. */
  declare readonly timestamp: Date;

  /**
   * Creates a frozen event of this class from its fields, without calling a constructor.
   * `timestamp` defaults to now; fields whose value is `undefined` are left out.
   *
   * ```ts
   * const e = TreePlanted.create({ originatorId: id, originatorVersion: 1, species: 'oak' });
   * ```
   */
  static create<E extends DomainEvent>(this: EventClass<E>, fields: EventInit<E>): E {
    return createEvent(this, fields);
  }
}

/**
 * Creates a frozen event of class `cls` from its fields, without calling a constructor
 * (`DomainEvent.create` as a function). `timestamp` defaults to now; `undefined` fields are
 * left out.
 */
export function createEvent<E extends DomainEvent>(cls: EventClass<E>, fields: EventInit<E>): E {
  const given = fields as Record<string, unknown>;
  if (given === null || typeof given !== 'object') {
    throw new TypeError(
      `${cls.name}.create() takes an object of fields, got ${describeValue(given)}.`,
    );
  }
  if (typeof given.originatorId !== 'string' || given.originatorId === '') {
    throw new TypeError(
      `Cannot create ${cls.name}: originatorId must be a non-empty string, got ` +
        `${describeValue(given.originatorId)}.`,
    );
  }
  if (!Number.isSafeInteger(given.originatorVersion)) {
    throw new TypeError(
      `Cannot create ${cls.name}: originatorVersion must be an integer, got ` +
        `${describeValue(given.originatorVersion)}.`,
    );
  }
  if (given.timestamp !== undefined && !(given.timestamp instanceof Date)) {
    throw new TypeError(
      `Cannot create ${cls.name}: timestamp must be a Date, got ${describeValue(given.timestamp)}.`,
    );
  }
  const event = Object.create(cls.prototype) as Record<string, unknown>;
  event.originatorId = given.originatorId;
  event.originatorVersion = given.originatorVersion;
  event.timestamp = given.timestamp ?? new Date();
  if (given.originatorTopic !== undefined) event.originatorTopic = given.originatorTopic;
  for (const key in given) {
    const value = given[key];
    if (value !== undefined) event[key] = value;
  }
  return Object.freeze(event) as E;
}
