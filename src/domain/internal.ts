/**
 * Module state and markers shared by the domain classes and decorators. Not exported from the
 * package: the domain layer is synchronous, so one module-level record is enough to hand the
 * id, version and timestamp of an aggregate being created to the `Aggregate` constructor.
 */

/** What the `Aggregate` constructor needs to initialise an aggregate being created or replayed. */
export interface AggregateInit {
  /** The class being constructed (`new.target`), so a nested construction cannot take it. */
  readonly target: object;
  readonly id: string;
  readonly version: number;
  readonly timestamp: Date;
}

/** The mutable state of the domain layer's construction and application protocol. */
export interface DomainRuntime {
  /** Set just before an aggregate is constructed; taken (and cleared) by `Aggregate`'s constructor. */
  init: AggregateInit | null;
  /** The aggregate an event is being applied to (its constructor or an event's apply is running). */
  applying: object | null;
  /** `Aggregate.prototype`, set when aggregate.ts loads (snapshots need it without an import cycle). */
  aggregatePrototype: object | null;
}

/** The one runtime record (a property of a constant object: fast to read and write). */
export const runtime: DomainRuntime = { init: null, applying: null, aggregatePrototype: null };

/** On functions returned by `@event`: their `EventDefinition`. */
export const EVENT_DEF = Symbol('eventsourcing.eventDefinition');

/** Own static of a class returned by `@aggregate`: the constructor's parameter names. */
export const CTOR_PARAMS = Symbol('eventsourcing.constructorParameters');

/** What `@event` records about a decorated method or setter, completed by `@aggregate`. */
export interface EventDefinition {
  /** The event class name given to `@event`, or `null` when a class was given. */
  readonly eventName: string | null;
  /** The event class given to `@event(EventClass)`, if any. */
  readonly givenClass: (abstract new () => object) | null;
  /** The decorated member's name (for messages). */
  readonly memberName: string;
  /** 'method' or 'setter'. */
  readonly kind: 'method' | 'setter';
  /** The parameter names of the decorated function, which name the event's fields. */
  readonly paramNames: readonly string[];
  /** The original function: how the event is applied. */
  readonly body: (...args: unknown[]) => unknown;
  /** The event class, set by `@aggregate` when the class is defined. */
  eventClass: (abstract new () => object) | null;
}

/** Classes already checked by the `Aggregate` constructor (and every `@aggregate` class). */
export const checkedClasses = new WeakSet<object>();

/** The classes `@aggregate` decorated, mapped to the subclass it returned. */
export const decoratedOriginals = new WeakMap<object, object>();
