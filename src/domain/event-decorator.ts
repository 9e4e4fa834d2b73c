import { describeValue } from '../utils/describe-value.js';
import type { Aggregate } from './aggregate.js';
import { AggregateCreated } from './aggregate-created.js';
import { AggregateEvent } from './aggregate-event.js';
import { describeCall } from './describe-call.js';
import type { EventClass } from './domain-event.js';
import { ProgrammingError } from './errors.js';
import { checkFieldNames } from './field-names.js';
import { EVENT_DEF, type EventDefinition, runtime } from './internal.js';
import { ParameterParseError } from './parameter-parse-error.js';
import { parseFunctionParameters } from './parse-params.js';
import { statedFields } from './stated-fields.js';
import { eventMembersMessage } from './undecorated-event-members.js';

/** A method or setter that `@event` can decorate: its parameters become the event's fields. */
export type EventMethod = (this: never, ...args: never[]) => unknown;

/** Options of `@event`. */
export interface EventOptions {
  /**
   * The event's field names, one per parameter of the decorated method, in order. Without it
   * fields are named after the parameters, which a minifier renames: state them in code that
   * is bundled with minification (see docs/bundling.md).
   */
  readonly fields?: readonly string[];
}

/** The decorator `@event(name)` returns: for methods and setters of an `@aggregate` class. */
export type EventDecorator = <F extends EventMethod>(
  value: F,
  context: ClassMethodDecoratorContext | ClassSetterDecoratorContext,
) => F;

/**
 * Triggers the event of a decorated member: builds it from the arguments (fields named after
 * the parameters), applies it (the original body runs) and appends it to the pending events.
 */
function triggerDecorated(
  aggregate: Aggregate,
  def: EventDefinition,
  args: ArrayLike<unknown>,
): void {
  const eventClass = def.eventClass;
  if (eventClass === null) {
    throw new TypeError(eventMembersMessage(aggregate.constructor.name, [def.memberName]));
  }
  if (runtime.applying === aggregate) {
    throw new ProgrammingError(
      `Cannot call ${aggregate.constructor.name}.${def.memberName} while an event is being ` +
        `applied to the aggregate: the body of an @event method (or constructor) is how its ` +
        `event is applied, now and on replay, so it must not trigger other events. Call ` +
        `${def.memberName} from outside, after the first command returns.`,
    );
  }
  const event = Object.create(eventClass.prototype) as Record<string, unknown>;
  event.originatorId = aggregate.id;
  event.originatorVersion = aggregate.version + 1;
  event.timestamp = new Date();
  const names = def.paramNames;
  for (let i = 0; i < names.length; i++) {
    const value = args[i];
    if (value !== undefined) event[names[i] as string] = value;
  }
  Object.freeze(event);
  (event as unknown as AggregateEvent).mutate(aggregate);
  aggregate.pendingEvents.push(event as unknown as AggregateEvent);
}

function isOptionsObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value);
}

function checkOptions(options: object): EventOptions {
  for (const key of Object.keys(options)) {
    if (key !== 'fields') {
      throw new TypeError(
        `@event has no option '${key}': its options are { fields: [...] } (the event's field ` +
          `names, one per parameter).`,
      );
    }
  }
  const fields = (options as EventOptions).fields;
  if (fields !== undefined) checkFieldNames('@event', fields, undefined);
  return options as EventOptions;
}

function isEventClass(value: unknown): value is EventClass<AggregateEvent> {
  return typeof value === 'function' && value.prototype instanceof AggregateEvent;
}

function checkSpec(spec: unknown): void {
  if (spec === undefined || (typeof spec === 'string' && spec !== '')) return;
  if (spec === '') {
    throw new TypeError(
      `@event('') has an empty event name: give the event class a name, e.g. @event('TrickAdded').`,
    );
  }
  if (!isEventClass(spec)) {
    throw new TypeError(
      `@event takes an event class name (a string) or an event class extending ` +
        `Aggregate.Event, got ${describeValue(spec)}.`,
    );
  }
  if ((spec as unknown) === AggregateCreated || spec.prototype instanceof AggregateCreated) {
    throw new TypeError(
      `@event(${spec.name}) on a method: ${spec.name} is a "created" event class, which only ` +
        `@aggregate (for the constructor) can use. Use a class extending Aggregate.Event.`,
    );
  }
}

function decorate(
  spec: string | EventClass<AggregateEvent> | undefined,
  options: EventOptions | undefined,
  value: unknown,
  context: DecoratorContext,
): EventMethod {
  const where = `@event on ${String(context.name)}`;
  if (context.kind === 'getter') {
    throw new TypeError(
      `${where}: @event cannot decorate a getter. Decorate the setter instead: ` +
        `@event('${String(context.name).replace(/^./, (c) => c.toUpperCase())}Updated') set ${String(context.name)}(value) { ... }`,
    );
  }
  if (context.kind !== 'method' && context.kind !== 'setter') {
    throw new TypeError(`${where}: @event decorates methods and setters, not a ${context.kind}.`);
  }
  if (context.static) {
    throw new TypeError(
      `${where}: @event cannot decorate a static method: events belong to aggregate instances.`,
    );
  }
  if (context.private) {
    throw new TypeError(
      `${where}: @event cannot decorate a #private member: use TypeScript 'private' instead.`,
    );
  }
  const memberName = String(context.name);
  if (context.kind === 'setter' && spec === undefined) {
    throw new TypeError(
      `${where}: @event on a setter needs an event name, e.g. @event('` +
        `${memberName.replace(/^./, (c) => c.toUpperCase())}Updated').`,
    );
  }
  const body = value as (...args: unknown[]) => unknown;
  const fields = options?.fields;
  let parsed: string[] | undefined;
  try {
    parsed = parseFunctionParameters(body);
  } catch (error) {
    if (!(error instanceof ParameterParseError)) throw error;
    if (fields === undefined) {
      throw new TypeError(
        `${where}: cannot name the event's fields after the parameters (found ${error.message}). ` +
          `Use plain parameters, state the field names (${describeCall(spec, "'a', 'b'")}), ` +
          `or define an explicit event class and trigger it with ` +
          `this.triggerEvent(EventClass, { ... }).`,
      );
    }
  }
  // Parameter names that look minified are detected by @aggregate, which sees the class.
  const paramNames: readonly string[] =
    fields !== undefined ? checkFieldNames(where, fields, parsed) : (parsed as string[]);
  const def: EventDefinition = {
    eventName:
      typeof spec === 'string'
        ? spec
        : spec === undefined
          ? memberName.replace(/^./, (c) => c.toUpperCase())
          : null,
    givenClass: typeof spec === 'function' ? spec : null,
    memberName,
    kind: context.kind,
    paramNames,
    body,
    eventClass: null,
  };
  let wrapper: EventMethod;
  if (context.kind === 'setter') {
    wrapper = function (this: Aggregate, value: unknown): void {
      triggerDecorated(this, def, [value]);
    } as EventMethod;
  } else {
    wrapper = function (this: Aggregate): void {
      // biome-ignore lint/complexity/noArguments: avoids copying the arguments per call.
      triggerDecorated(this, def, arguments);
    } as EventMethod;
  }
  Object.defineProperty(wrapper, 'name', { value: memberName });
  Object.defineProperty(wrapper, 'length', { value: paramNames.length });
  Object.defineProperty(wrapper, EVENT_DEF, { value: def });
  if (fields !== undefined) statedFields.add(def);
  return wrapper;
}

/**
 * Bare `@event` on a method: the event class is named after the method (`addTrick` →
 * `AddTrick`).
 */
export function event<F extends EventMethod>(value: F, context: ClassMethodDecoratorContext): F;
/**
 * `@event('TrickAdded')` or `@event(TrickAdded)` on a method or setter of an `@aggregate`
 * class: calling the method triggers an event of that class, whose fields are named after the
 * method's parameters, and the method's body is how the event is applied (now and on replay).
 * The method's return value is ignored. The event class is a static of the aggregate class
 * (`Dog.TrickAdded`), with topic `Dog.TrickAdded`. Setters need a name. `options.fields` states
 * the field names (one per parameter, in order) instead of reading them from the parameters:
 * needed when the code is minified (see docs/bundling.md).
 *
 * @example
 * ```ts
 * import { Aggregate, aggregate, event } from 'eventsourcing/domain';
 *
 * @aggregate('Registered')
 * class Dog extends Aggregate {
 *   name: string;
 *   tricks: string[] = [];
 *   constructor(name: string) {
 *     super();
 *     this.name = name;
 *   }
 *
 *   @event('TrickAdded')
 *   addTrick(trick: string): void {
 *     this.tricks.push(trick);
 *   }
 * }
 *
 * const dog = new Dog('Fido'); // records Dog.Registered { name: 'Fido' }
 * dog.addTrick('roll over'); // records Dog.TrickAdded { trick: 'roll over' }
 * ```
 */
export function event(
  nameOrClass?: string | EventClass<AggregateEvent>,
  options?: EventOptions,
): EventDecorator;
/**
 * `@event({ fields: ['trick'] })`: the event class is named after the method, its fields are
 * the names given (one per parameter, in order), so a minifier cannot change them.
 */
export function event(options: EventOptions): EventDecorator;
export function event(
  spec?: string | EventClass<AggregateEvent> | EventMethod | EventOptions,
  context?: DecoratorContext | EventOptions,
): EventDecorator | EventMethod {
  if (context !== undefined && typeof context === 'object' && 'kind' in context) {
    return decorate(undefined, undefined, spec, context);
  }
  let given: string | EventClass<AggregateEvent> | undefined;
  let options: EventOptions | undefined;
  if (isOptionsObject(spec)) {
    if (context !== undefined) {
      throw new TypeError(
        '@event takes at most two arguments: an event name or class, and options.',
      );
    }
    options = checkOptions(spec as object);
  } else {
    checkSpec(spec);
    given = spec as string | EventClass<AggregateEvent> | undefined;
    if (context !== undefined && !isOptionsObject(context)) {
      throw new TypeError(
        `@event's second argument is options, e.g. { fields: ['trick'] }, got ` +
          `${describeValue(context)}.`,
      );
    }
    options = context === undefined ? undefined : checkOptions(context);
  }
  return ((value: EventMethod, ctx: DecoratorContext) =>
    decorate(given, options, value, ctx)) as EventDecorator;
}

/** Python's alias of `event`. */
export const triggers = event;
