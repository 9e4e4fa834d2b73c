/**
 * Module state shared by the DCB decision-model classes and the `event` decorator. Not exported
 * from the package. The decision model is synchronous, so one module-level record is enough to
 * hand a stored id to the `EnduringObject` constructor while an object is reconstructed.
 */

/** What `@event(DecisionClass)` records about a decorated method: how a decision is applied. */
export interface ApplierDefinition {
  /** The decision class the method applies (and, called as a command, triggers). */
  readonly decisionClass: Function;
  /** The decorated method's name (for messages). */
  readonly memberName: string;
  /** The method's parameter names: the decision fields passed to it, in order. */
  readonly paramNames: readonly string[];
  /** The original method body: how the decision is applied, now and on replay. */
  readonly body: (...args: unknown[]) => unknown;
}

/** What `@event(InitialDecisionClass)` on an `EnduringObject` class records. */
export interface CreationDefinition {
  /** The initial decision class that the constructor records. */
  readonly decisionClass: Function;
  /** The constructor's parameter names: the initial decision's fields, in order. */
  readonly paramNames: readonly string[];
  /** The decision field that holds the object's id (`courseId` for `Course`). */
  readonly idFieldName: string;
  /** The topic of the (decorated) class, stored in the initial decision. */
  readonly topic: string;
}

/** On functions returned by `@event` for methods: their `ApplierDefinition`. */
export const APPLIER = Symbol('eventsourcing.dcb.applier');

/** The mutable state of the decision model's construction and application protocol. */
export interface DecisionRuntime {
  /** Set while an enduring object is reconstructed; taken (and cleared) by its constructor. */
  replayId: string | null;
  /** The perspective a decision is being applied to (an applier is running). */
  applying: object | null;
}

/** The one runtime record. */
export const runtime: DecisionRuntime = { replayId: null, applying: null };

/** The classes `@event(InitialDecisionClass)` returned, mapped to what they record. */
export const creations = new WeakMap<object, CreationDefinition>();

/** Enduring objects made by reconstruction (their constructor records nothing). */
export const reconstructed = new WeakSet<object>();

const appliersByClass = new WeakMap<object, Map<Function, ApplierDefinition>>();

/**
 * The appliers of a perspective class, by decision class: its decorated methods and those of
 * its parents (a subclass's method wins). Found once per class by walking the prototype chain.
 */
export function appliersOf(cls: Function): Map<Function, ApplierDefinition> {
  let found = appliersByClass.get(cls);
  if (found !== undefined) return found;
  found = new Map();
  for (
    let proto: object | null = cls.prototype as object;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
      if (typeof value !== 'function') continue;
      const def = (value as { [APPLIER]?: ApplierDefinition })[APPLIER];
      if (def !== undefined && !found.has(def.decisionClass)) found.set(def.decisionClass, def);
    }
  }
  appliersByClass.set(cls, found);
  return found;
}

/** The creation definition of `cls` or of its nearest decorated parent; undefined when none. */
export function nearestCreation(cls: object): CreationDefinition | undefined {
  for (let c: object | null = cls; c !== null; c = Object.getPrototypeOf(c) as object | null) {
    const def = creations.get(c);
    if (def !== undefined) return def;
  }
  return undefined;
}

/**
 * Applies `decision` to `target` with the target's applier for the decision's class (or one of
 * its parent classes), passing the decision's fields named by the applier's parameters. Returns
 * whether an applier ran.
 */
export function runApplier(decision: object, target: object): boolean {
  const appliers = appliersOf(target.constructor);
  if (appliers.size === 0) return false;
  let def: ApplierDefinition | undefined;
  for (
    let c: object | null = decision.constructor;
    c !== null && def === undefined;
    c = Object.getPrototypeOf(c) as object | null
  ) {
    def = appliers.get(c as Function);
  }
  if (def === undefined) return false;
  const fields = decision as Record<string, unknown>;
  const args = def.paramNames.map((name) => fields[name]);
  const previous = runtime.applying;
  runtime.applying = target;
  try {
    def.body.apply(target, args);
  } finally {
    runtime.applying = previous;
  }
  return true;
}
