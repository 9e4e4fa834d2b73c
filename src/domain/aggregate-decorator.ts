import { describeValue } from '../utils/describe-value.js';
import { Aggregate } from './aggregate.js';
import { AggregateCreated } from './aggregate-created.js';
import { AggregateEvent } from './aggregate-event.js';
import { checkCreatedId } from './check-created-id.js';
import { describeCall } from './describe-call.js';
import type { EventClass } from './domain-event.js';
import { checkFieldNames } from './field-names.js';
import { installApply } from './install-apply.js';
import {
  type AggregateInit,
  CTOR_PARAMS,
  checkedClasses,
  decoratedOriginals,
  EVENT_DEF,
  type EventDefinition,
  runtime,
} from './internal.js';
import {
  classNameLooksMangled,
  KEEP_NAMES_ADVICE,
  parametersLookMangled,
} from './mangled-names.js';
import { ParameterParseError } from './parameter-parse-error.js';
import { parseConstructorParameters } from './parse-params.js';
import { registerAggregateTopics } from './register-aggregate-topics.js';
import { statedFields } from './stated-fields.js';

/** An aggregate class as `@aggregate` receives it: a subclass of `Aggregate`. */
export type AggregateConstructor = abstract new (...args: never[]) => Aggregate;
type ConcreteCtor = (new (...args: unknown[]) => Aggregate) & typeof Aggregate;

/** Options of `@aggregate`: names stated in code, so that a minifier cannot change them. */
export interface AggregateOptions {
  /**
   * The aggregate's name, instead of the class name: its topic (unless a static `topic` is
   * set), the prefix of its event topics (`Dog.Registered`), and the class's `name`.
   */
  readonly name?: string;
  /**
   * The created event's field names, one per constructor parameter, in order, instead of the
   * parameter names (a parameter stated as `id` is the aggregate's id).
   */
  readonly fields?: readonly string[];
}

/** The class decorator that `@aggregate(name)` returns. */
export type AggregateDecorator = <C extends AggregateConstructor>(
  value: C,
  context: ClassDecoratorContext<C>,
) => C;

/** Constructor parameter names, and where they came from. */
interface ConstructorParameters {
  readonly names: readonly string[];
  /** Whether the names were read from source text (rather than stated or inherited). */
  readonly parsed: boolean;
}

/**
 * The constructor's parameter names: its own, else the nearest parent's (none for Aggregate).
 * With stated `fields`, source that cannot be read is no error: `undefined` is returned.
 */
function constructorParameters(
  value: AggregateConstructor,
  fieldsGiven: boolean,
): ConstructorParameters | undefined {
  let cls: unknown = value;
  while (typeof cls === 'function' && cls !== Aggregate) {
    if (Object.hasOwn(cls, CTOR_PARAMS)) {
      const names = (cls as unknown as Record<symbol, readonly string[]>)[CTOR_PARAMS];
      return { names: names as readonly string[], parsed: false };
    }
    let names: string[] | undefined;
    try {
      names = parseConstructorParameters(cls as AggregateConstructor);
    } catch (error) {
      if (!(error instanceof ParameterParseError)) throw error;
      if (fieldsGiven) return undefined;
      throw new TypeError(
        `@aggregate on ${value.name}: cannot name the created event's fields after the ` +
          `constructor's parameters (found ${error.message}). Use plain parameters, state the ` +
          `field names (@aggregate('Created', { fields: ['a', 'b'] })), or ` +
          `define an explicit created event class, create the aggregate with ` +
          `${value.name}._create(Created, { ... }) and call registerAggregate(${value.name}).`,
      );
    }
    if (names !== undefined) return { names, parsed: true };
    cls = Object.getPrototypeOf(cls);
  }
  return { names: [], parsed: false };
}

/** A created or event class whose name would be stored but looks chosen by a minifier. */
function checkEventClassName(where: string, cls: EventClass<unknown>): void {
  if (Object.hasOwn(cls, 'topic') || !classNameLooksMangled(cls.name, cls)) return;
  throw new TypeError(
    `${where}: the event class's name '${cls.name}' looks chosen by a minifier, and it ` +
      `would be stored in the event's topic. ${KEEP_NAMES_ADVICE} Here: give the class a ` +
      `static topic (static topic = 'Dog.Registered'), or make it a static of the aggregate ` +
      `class (static Registered = class extends Aggregate.Created { ... }).`,
  );
}

/** The message for an aggregate's created event fields that look minified. */
function mangledParamsMessage(name: string, createdName: string, params: readonly string[]) {
  const placeholders = params.map((_, i) => `'field${i + 1}'`).join(', ');
  return (
    `@aggregate on ${name}: the constructor's parameter names (${params.join(', ')}) look ` +
    `chosen by a minifier, and they would be stored as the created event's field names. ` +
    `${KEEP_NAMES_ADVICE} Here: @aggregate('${createdName}', { name: '${name}', ` +
    `fields: [${placeholders}] }), with the class's real name and the parameters' real names ` +
    `in order.`
  );
}

/** The `@event` definitions of a class's own members. */
function eventDefinitions(value: AggregateConstructor): EventDefinition[] {
  const defs: EventDefinition[] = [];
  const proto = value.prototype as object;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    for (const fn of [descriptor?.value, descriptor?.set]) {
      if (typeof fn !== 'function') continue;
      const def = (fn as unknown as Record<symbol, EventDefinition | undefined>)[EVENT_DEF];
      if (def === undefined) continue;
      if (def.eventClass !== null) {
        throw new TypeError(
          `@aggregate on ${value.name}: ${key} was decorated with @event in another class.`,
        );
      }
      defs.push(def);
    }
  }
  return defs;
}

function makeEventClass(name: string, base: typeof AggregateEvent): typeof AggregateEvent {
  const cls = class extends base {};
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

function checkOptions(options: unknown): AggregateOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `@aggregate's options must be an object, e.g. { name: 'Dog', fields: ['name'] }, got ` +
        `${describeValue(options)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== 'name' && key !== 'fields') {
      throw new TypeError(
        `@aggregate has no option '${key}': its options are { name, fields } (the aggregate's ` +
          `name, and the created event's field names, one per constructor parameter).`,
      );
    }
  }
  const { name, fields } = options as AggregateOptions;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(
      `@aggregate's 'name' option must be a non-empty string (the aggregate's name, e.g. ` +
        `'Dog'), got ${describeValue(name)}.`,
    );
  }
  if (fields !== undefined) checkFieldNames('@aggregate', fields, undefined);
  return options as AggregateOptions;
}

function decorate(
  spec: string | EventClass<AggregateCreated> | undefined,
  options: AggregateOptions,
  value: AggregateConstructor,
  context: ClassDecoratorContext,
): AggregateConstructor {
  if (context?.kind !== 'class') {
    throw new TypeError(`@aggregate decorates classes, not a ${String(context?.kind)}.`);
  }
  // The context's name first: esbuild passes the name as written even when minifying.
  const nameGiven = options.name !== undefined;
  const name = options.name ?? ((typeof context.name === 'string' && context.name) || value.name);
  if (typeof value !== 'function' || !(value.prototype instanceof Aggregate)) {
    throw new TypeError(
      `@aggregate requires a class that extends Aggregate, and ${describeValue(value)} does ` +
        `not. Write 'class ${name} extends Aggregate { ... }'.`,
    );
  }
  const createdName = typeof spec === 'function' ? spec.name : (spec ?? 'Created');
  if (typeof spec === 'function') checkEventClassName(`@aggregate(${spec.name}) on ${name}`, spec);
  const fields = options.fields;
  const found = constructorParameters(value, fields !== undefined);
  let params: readonly string[];
  if (fields !== undefined) {
    params = checkFieldNames(`@aggregate on ${name}`, fields, found?.names);
  } else {
    params = (found as ConstructorParameters).names;
    if (found?.parsed === true && parametersLookMangled(params, value)) {
      throw new TypeError(mangledParamsMessage(name, createdName, params));
    }
  }
  const idIndex = params.indexOf('id');
  const timestampIndex = params.indexOf('timestamp');
  const defs = eventDefinitions(value);
  for (const def of defs) {
    if (!statedFields.has(def) && parametersLookMangled(def.paramNames, value)) {
      const placeholders = def.paramNames.map((_, i) => `'field${i + 1}'`).join(', ');
      const spec = def.eventName ?? (def.givenClass as EventClass<AggregateEvent>);
      throw new TypeError(
        `@event on ${name}.${def.memberName}: the parameter names ` +
          `(${def.paramNames.join(', ')}) look chosen by a minifier, and they would be stored ` +
          `as the event's field names. ${KEEP_NAMES_ADVICE} Here: ` +
          `${describeCall(spec, placeholders)}, with the parameters' real names in order.`,
      );
    }
  }
  const names = new Set<string>([createdName]);
  const givenClasses = new Set<unknown>();
  for (const def of defs) {
    if (def.givenClass !== null) {
      if (givenClasses.has(def.givenClass) || Object.hasOwn(def.givenClass.prototype, EVENT_DEF)) {
        throw new TypeError(
          `${def.givenClass.name} event class used in more than one decorator: each @event ` +
            `member needs its own event class.`,
        );
      }
      givenClasses.add(def.givenClass);
    }
    const key = def.eventName ?? (def.givenClass as EventClass<unknown>).name;
    if (names.has(key)) {
      throw new TypeError(
        `@aggregate on ${name}: the event name '${key}' is used twice (by ${def.memberName} ` +
          `and another decorator). Give each event its own name.`,
      );
    }
    names.add(key);
  }

  let topic = name;
  let createdClass: typeof AggregateCreated = AggregateCreated;
  const Base = value as unknown as ConcreteCtor;

  const Sub = class extends Base {
    constructor(...args: unknown[]) {
      let created: AggregateInit | null = null;
      let previous: object | null = null;
      if (runtime.init === null) {
        if (new.target !== Sub) {
          throw new TypeError(
            `${new.target.name} extends the @aggregate class ${name} but is not decorated ` +
              `with @aggregate itself: decorate ${new.target.name} with @aggregate too.`,
          );
        }
        const id = idIndex >= 0 ? args[idIndex] : Sub.createId(...args);
        created = {
          target: Sub,
          id: checkCreatedId(Sub, id),
          version: Sub.INITIAL_VERSION,
          // A constructor parameter named `timestamp` sets the created event's timestamp.
          timestamp:
            timestampIndex >= 0 && args[timestampIndex] instanceof Date
              ? (args[timestampIndex] as Date)
              : new Date(),
        };
        previous = runtime.applying;
        runtime.init = created;
      }
      try {
        super(...args);
      } finally {
        if (created !== null) {
          runtime.init = null;
          runtime.applying = previous;
        }
      }
      if (created !== null) recordCreated(this, created, args);
    }
  };

  /** Records the created event of an aggregate just constructed by user code. */
  function recordCreated(aggregate: Aggregate, init: AggregateInit, args: unknown[]): void {
    const event = Object.create(createdClass.prototype) as Record<string, unknown>;
    event.originatorId = init.id;
    event.originatorVersion = init.version;
    event.timestamp = init.timestamp;
    event.originatorTopic = topic;
    for (let i = 0; i < params.length; i++) {
      const arg = args[i];
      if (i !== idIndex && arg !== undefined) event[params[i] as string] = arg;
    }
    Object.freeze(event);
    const previous = runtime.applying;
    runtime.applying = aggregate;
    try {
      (event as unknown as AggregateCreated).apply(aggregate);
    } finally {
      runtime.applying = previous;
    }
    aggregate.pendingEvents.push(event as unknown as AggregateCreated);
  }

  Object.defineProperty(Sub, 'name', { value: name });
  Object.defineProperty(Sub, CTOR_PARAMS, { value: params });
  decoratedOriginals.set(value, Sub);
  checkedClasses.add(Sub);

  // Static fields (a static `topic`, `Event`, explicit event classes) exist only once the
  // class is fully defined, so event classes and topics are made in a class initializer.
  context.addInitializer(() => {
    // Compilers that keep names (tsx, esbuild --keep-names) set the class's name after this
    // decorator returns: a stated name goes back on here.
    if (nameGiven) Object.defineProperty(Sub, 'name', { value: name });
    const holders = [value, Sub];
    const ownStatic = (key: string): unknown => {
      for (const holder of holders) {
        if (Object.hasOwn(holder, key)) return (holder as unknown as Record<string, unknown>)[key];
      }
      return undefined;
    };
    const hasOwnStatic = (key: string) => holders.some((holder) => Object.hasOwn(holder, key));
    if (!nameGiven && ownStatic('topic') === undefined && classNameLooksMangled(name, value)) {
      throw new TypeError(
        `@aggregate on class ${name}: the class name '${name}' looks chosen by a minifier, and ` +
          `it would be stored in the topics of its events. ${KEEP_NAMES_ADVICE} Here: ` +
          `@aggregate('${createdName}', { name: 'Dog' }) with the class's real name.`,
      );
    }
    const define = (key: string, cls: unknown) => {
      Object.defineProperty(value, key, { value: cls, writable: true, configurable: true });
    };
    const eventBase = Sub.Event as unknown;
    if (
      typeof eventBase !== 'function' ||
      !(eventBase.prototype instanceof AggregateEvent || eventBase === AggregateEvent)
    ) {
      throw new TypeError(`${name}.Event must be a class extending Aggregate.Event.`);
    }
    const createdBase = Sub.Created as unknown;
    if (
      typeof createdBase !== 'function' ||
      !(createdBase.prototype instanceof AggregateCreated || createdBase === AggregateCreated)
    ) {
      throw new TypeError(`${name}.Created must be a class extending Aggregate.Created.`);
    }
    // The created event class.
    if (typeof spec === 'function') {
      createdClass = spec as unknown as typeof AggregateCreated;
    } else if (hasOwnStatic(createdName)) {
      const existing = ownStatic(createdName);
      if (typeof existing !== 'function' || !(existing.prototype instanceof AggregateCreated)) {
        throw new TypeError(
          `@aggregate('${createdName}') on ${name}: ${name}.${createdName} is already defined ` +
            `and is not a created event class. Use another event name.`,
        );
      }
      createdClass = existing as typeof AggregateCreated;
    } else {
      createdClass = makeEventClass(
        createdName,
        createdBase as typeof AggregateCreated,
      ) as typeof AggregateCreated;
    }
    if (ownStatic(createdName) !== createdClass) define(createdName, createdClass);
    // The event classes of @event members.
    for (const def of defs) {
      let cls: typeof AggregateEvent;
      let key: string;
      if (def.givenClass !== null) {
        cls = def.givenClass as unknown as typeof AggregateEvent;
        key = cls.name;
        checkEventClassName(`@event(${key}) on ${name}.${def.memberName}`, cls);
        if (hasOwnStatic(key) && ownStatic(key) !== cls) {
          throw new TypeError(
            `@event(${key}) on ${name}.${def.memberName}: ${name}.${key} is already defined as ` +
              `something else.`,
          );
        }
      } else {
        key = def.eventName as string;
        if (hasOwnStatic(key)) {
          throw new TypeError(
            `@event('${key}') on ${name}.${def.memberName}: the name '${key}' is already used ` +
              `on class ${name}. Use another event name, or pass the event class: @event(EventClass).`,
          );
        }
        cls = makeEventClass(key, eventBase as typeof AggregateEvent);
      }
      installApply(cls, def);
      def.eventClass = cls;
      if (ownStatic(key) !== cls) define(key, cls);
    }
    // esbuild defines static fields on the returned class, but code inside the class body sees
    // the original class: copy event classes there so `Dog.Registered` works in both places.
    for (const key of Object.getOwnPropertyNames(Sub)) {
      const v = Object.getOwnPropertyDescriptor(Sub, key)?.value;
      if (
        typeof v === 'function' &&
        v.prototype instanceof AggregateEvent &&
        !Object.hasOwn(value, key)
      ) {
        define(key, v);
      }
    }
    topic = registerAggregateTopics(Sub, holders);
  });
  return Sub;
}

/**
 * Bare `@aggregate`: the created event class is named `Created`.
 */
export function aggregate<C extends AggregateConstructor>(
  value: C,
  context: ClassDecoratorContext<C>,
): C;
/**
 * `@aggregate('Registered')` on a class extending `Aggregate`: constructing the class
 * (`new Dog('Fido')`) records its created event, whose fields are named after the
 * constructor's parameters, and the constructor's body is how that event is applied (on replay
 * too). Also completes the class's `@event` members. Event classes become statics
 * (`Dog.Registered`, `Dog.TrickAdded`), with topics `Dog`, `Dog.Registered`, `Dog.TrickAdded`
 * (a static `topic` on the aggregate or an event class overrides its default). Accepts an
 * explicit created event class instead of a name. `options` states the aggregate's name and the
 * created event's field names instead of taking them from the class and its parameters, which a
 * minifier renames (see docs/bundling.md).
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
export function aggregate(
  nameOrClass?: string | EventClass<AggregateCreated>,
  options?: AggregateOptions,
): AggregateDecorator;
/**
 * `@aggregate({ name: 'Dog', fields: ['name'] })`: the created event class is named `Created`;
 * the aggregate's name and the created event's field names are the ones given, so a minifier
 * cannot change them (see docs/bundling.md).
 *
 * @example
 * ```ts
 * @aggregate({ name: 'Cat', fields: ['name'] })
 * class Cat extends Aggregate {
 *   name: string;
 *   constructor(name: string) {
 *     super();
 *     this.name = name;
 *   }
 *
 *   @event('Renamed', { fields: ['name'] })
 *   rename(name: string): void {
 *     this.name = name;
 *   }
 * }
 * ```
 */
export function aggregate(options: AggregateOptions): AggregateDecorator;
export function aggregate(
  spec?: string | EventClass<AggregateCreated> | AggregateConstructor | AggregateOptions,
  context?: ClassDecoratorContext | AggregateOptions,
): AggregateDecorator | AggregateConstructor {
  if (context !== undefined && 'kind' in context) {
    return decorate(undefined, {}, spec as AggregateConstructor, context);
  }
  let options: AggregateOptions = {};
  if (typeof spec === 'object' && spec !== null) {
    if (context !== undefined) {
      throw new TypeError(
        '@aggregate takes at most two arguments: a created event name or class, and options.',
      );
    }
    options = checkOptions(spec);
    spec = undefined;
  } else if (context !== undefined) {
    options = checkOptions(context);
  }
  if (spec === '') {
    throw new TypeError(
      `@aggregate('') has an empty event name: give the created event a name, e.g. ` +
        `@aggregate('Registered'), or write @aggregate for 'Created'.`,
    );
  }
  if (
    spec !== undefined &&
    typeof spec !== 'string' &&
    !(typeof spec === 'function' && spec.prototype instanceof AggregateCreated)
  ) {
    throw new TypeError(
      `@aggregate takes a created event name (a string) or a created event class extending ` +
        `Aggregate.Created, got ${describeValue(spec)}.`,
    );
  }
  const given = spec as string | EventClass<AggregateCreated> | undefined;
  return ((value: AggregateConstructor, ctx: ClassDecoratorContext) =>
    decorate(given, options, value, ctx)) as AggregateDecorator;
}
