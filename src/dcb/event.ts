import { ProgrammingError } from '../domain/errors.js';
import { ParameterParseError } from '../domain/parameter-parse-error.js';
import { parseConstructorParameters, parseFunctionParameters } from '../domain/parse-params.js';
import { checkClassName, getTopic, ownStaticTopic, registerTopic } from '../domain/topics.js';
import { describeValue } from '../utils/describe-value.js';
import { Decision, type DecisionClass, type DecisionFields } from './decision.js';
import { EnduringObject } from './enduring-object.js';
import { InitialDecision } from './initial-decision.js';
import {
  APPLIER,
  type ApplierDefinition,
  type CreationDefinition,
  creations,
  nearestCreation,
  reconstructed,
  runtime,
} from './internal.js';
import { Perspective } from './perspective.js';
import { Tagged } from './tagged.js';

/** A class `@event` can decorate: an `EnduringObject` subclass. */
type AnyClass = abstract new (...args: never[]) => unknown;
/** A method `@event` can decorate. */
type AnyMethod = (this: never, ...args: never[]) => unknown;

/**
 * The decorator `@event(DecisionClass)` returns: for methods of perspectives and, with an
 * `InitialDecision` class, for `EnduringObject` classes.
 */
export interface DCBEventDecorator {
  /**
   * Registers the decorated method (or class) with the decision class.
   *
   * @typeParam T - The decorated class or method, returned as it is typed.
   */
  <
    T extends
      | (abstract new (
          ...args: never[]
        ) => unknown)
      | ((this: never, ...args: never[]) => unknown),
  >(
    value: T,
    context: ClassDecoratorContext | ClassMethodDecoratorContext,
  ): T;
}

/**
 * Ties a decision class to a perspective (Python's `@event` in `eventsourcing.dcb`).
 *
 * On a method of an `EnduringObject`, `Group` or `Slice`: the method's body is how decisions
 * of that class are applied to the perspective (each parameter takes the decision's field of
 * the same name), and calling the method triggers such a decision from its arguments (tagged by
 * the perspective: an enduring object's id, a group's member ids).
 *
 * On an `EnduringObject` class, with an `InitialDecision` class: constructing the class records
 * that decision, with the constructor's arguments (named after its parameters), the new id
 * (under `InitialDecision.idFieldName`) and the class's topic; reading the object constructs it
 * again from the stored decision, recording nothing.
 */
export function event(decisionClass: DecisionClass): DCBEventDecorator {
  if (
    typeof decisionClass !== 'function' ||
    !((decisionClass as Function).prototype instanceof Decision)
  ) {
    throw new TypeError(
      `@event takes a decision class (extending Decision or InitialDecision), got ` +
        `${describeValue(decisionClass)}.`,
    );
  }
  // Registered now, so that a process that reads decisions of the class before writing any
  // resolves their type.
  getTopic(decisionClass);
  return (<T extends AnyClass | AnyMethod>(
    value: T,
    context: ClassDecoratorContext | ClassMethodDecoratorContext,
  ): T => {
    if (context.kind === 'class') {
      return decorateClass(
        decisionClass,
        value as unknown as typeof EnduringObject,
      ) as unknown as T;
    }
    return decorateMethod(decisionClass, value as AnyMethod, context) as T;
  }) as DCBEventDecorator;
}

function decorateMethod(
  decisionClass: DecisionClass,
  body: AnyMethod,
  context: DecoratorContext,
): AnyMethod {
  const where = `@event(${decisionClass.name}) on ${String(context.name)}`;
  if (context.kind !== 'method') {
    throw new TypeError(
      `${where}: @event decorates methods and EnduringObject classes, not a ${context.kind}.`,
    );
  }
  if (context.static || context.private) {
    throw new TypeError(
      `${where}: @event cannot decorate a static or #private method: decisions are applied ` +
        "to perspective instances (use TypeScript 'private' instead of '#').",
    );
  }
  let paramNames: string[];
  try {
    paramNames = parseFunctionParameters(body as (...args: never[]) => unknown);
  } catch (error) {
    if (!(error instanceof ParameterParseError)) throw error;
    throw new TypeError(
      `${where}: cannot name the decision's fields after the parameters (found ` +
        `${error.message}). Use plain parameters named after the decision's fields.`,
    );
  }
  const memberName = String(context.name);
  const def: ApplierDefinition = {
    decisionClass,
    memberName,
    paramNames,
    body: body as unknown as (...args: unknown[]) => unknown,
  };
  const wrapper = function (this: Perspective, ...args: unknown[]): void {
    if (!(this instanceof Perspective)) {
      throw new TypeError(
        `${where}: the method belongs to a Perspective, called on ${describeValue(this)}.`,
      );
    }
    if (runtime.applying === this) {
      throw new ProgrammingError(
        `Cannot call ${this.constructor.name}.${memberName} while a decision is being applied ` +
          'to it: the body of an @event method is how its decision is applied, now and on ' +
          'replay, so it must not trigger other decisions.',
      );
    }
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < paramNames.length; i++) {
      if (args[i] !== undefined) fields[paramNames[i] as string] = args[i];
    }
    this.triggerEvent(decisionClass, fields as DecisionFields<Decision>);
  };
  Object.defineProperty(wrapper, 'name', { value: memberName });
  Object.defineProperty(wrapper, 'length', { value: paramNames.length });
  Object.defineProperty(wrapper, APPLIER, { value: def });
  return wrapper as AnyMethod;
}

function decorateClass(
  decisionClass: DecisionClass,
  cls: typeof EnduringObject,
): typeof EnduringObject {
  const where = `@event(${decisionClass.name}) on class ${cls.name}`;
  if (typeof cls !== 'function' || !(cls.prototype instanceof EnduringObject)) {
    throw new TypeError(
      `${where}: only classes extending EnduringObject take an initial decision.`,
    );
  }
  if (!(decisionClass.prototype instanceof InitialDecision)) {
    throw new TypeError(
      `${where}: ${decisionClass.name} does not extend InitialDecision, so it cannot create ` +
        `${cls.name}s: declare it as 'class ${decisionClass.name} extends InitialDecision'.`,
    );
  }
  const paramNames = constructorParameters(cls, where);
  const idFieldName = (decisionClass as unknown as typeof InitialDecision).idFieldName(cls.name);
  for (const reserved of [idFieldName, 'originatorTopic']) {
    if (paramNames.includes(reserved)) {
      throw new TypeError(
        `${where}: the constructor parameter '${reserved}' clashes with the field the initial ` +
          'decision sets itself (the new id, the class topic): rename the parameter.',
      );
    }
  }
  const stated = ownStaticTopic(cls);
  if (stated === undefined) checkClassName(cls);
  const topic = stated ?? cls.name;
  // The subclass records the initial decision after the constructor body has applied it.
  const decorated = class extends (cls as unknown as new (...args: unknown[]) => EnduringObject) {
    constructor(...args: unknown[]) {
      super(...args);
      if (reconstructed.has(this) || nearestCreation(new.target) !== def) return;
      const fields: Record<string, unknown> = { [idFieldName]: this.id, originatorTopic: topic };
      for (let i = 0; i < paramNames.length; i++) {
        if (args[i] !== undefined) fields[paramNames[i] as string] = args[i];
      }
      const decision = (decisionClass as typeof InitialDecision).create(
        fields as DecisionFields<InitialDecision>,
      );
      this.newDecisions.push(new Tagged([this.id], decision));
    }
  };
  Object.defineProperty(decorated, 'name', { value: cls.name });
  const def: CreationDefinition = { decisionClass, paramNames, idFieldName, topic };
  creations.set(decorated, def);
  registerTopic(topic, decorated);
  return decorated as unknown as typeof EnduringObject;
}

/** The parameter names of a class's constructor, or of its nearest parent that has one. */
function constructorParameters(cls: Function, where: string): string[] {
  for (
    let c: Function | null = cls;
    c !== null && c !== EnduringObject;
    c = Object.getPrototypeOf(c) as Function | null
  ) {
    const known = creations.get(c);
    if (known !== undefined) return [...known.paramNames];
    try {
      const names = parseConstructorParameters(c as new () => unknown);
      if (names !== undefined) return names;
    } catch (error) {
      if (!(error instanceof ParameterParseError)) throw error;
      throw new TypeError(
        `${where}: cannot name the initial decision's fields after the constructor's ` +
          `parameters (found ${error.message}). Use plain parameters named after its fields.`,
      );
    }
  }
  return [];
}
