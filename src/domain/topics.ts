import { describeValue } from '../utils/describe-value.js';
import { TopicError } from './errors.js';
import { classNameLooksMangled, KEEP_NAMES_ADVICE } from './mangled-names.js';

/**
 * Topics name classes in storage. A stored event's topic is resolved to its class on read, so a
 * topic must keep meaning the same class for as long as events of that class are stored.
 *
 * In TypeScript there are no module paths at run time, so topics are registered: aggregate and
 * event classes register themselves when they are defined (`@aggregate`, `@event`), any class
 * registers under its name the first time `getTopic` sees it, a class may declare a static
 * `topic`, and `registerTopic` adds aliases (for renamed classes, or events written by Python).
 */

const byTopic = new Map<string, object>();
let topicOf = new WeakMap<object, string>();

function redefinitionCheckDisabled(): boolean {
  const value = process.env.EVENTSOURCING_DISABLE_REDEFINITION_CHECK;
  return (
    value !== undefined &&
    value !== '' &&
    !['0', 'n', 'no', 'f', 'false', 'off'].includes(value.toLowerCase())
  );
}

/** The topic a class states with its own static `topic` (not inherited), if any. */
export function ownStaticTopic(cls: object): string | undefined {
  if (typeof cls !== 'function') return undefined;
  if (!Object.hasOwn(cls, 'topic')) return undefined;
  const topic = (cls as unknown as { topic: unknown }).topic;
  return typeof topic === 'string' && topic !== '' ? topic : undefined;
}

/**
 * Registers `obj` under `topic`. A different object already registered under that topic is a
 * `TopicError` naming both (unless `EVENTSOURCING_DISABLE_REDEFINITION_CHECK` is set, when the
 * new one replaces the old one: useful when tests or hot reloading define classes again).
 * The first topic registered for an object becomes the topic `getTopic` writes for it.
 */
export function registerTopic(topic: string, obj: object): void {
  if (typeof topic !== 'string' || topic === '') {
    throw new TopicError(`A topic must be a non-empty string, got ${JSON.stringify(topic)}`);
  }
  const existing = byTopic.get(topic);
  if (existing !== undefined && existing !== obj) {
    if (!redefinitionCheckDisabled()) {
      throw new TopicError(
        `Topic '${topic}' is already registered for ${describeValue(existing)}, so it cannot be ` +
          `registered for ${describeValue(obj)}. Give one of them another topic (a static 'topic', ` +
          `or a different name), or set EVENTSOURCING_DISABLE_REDEFINITION_CHECK=y if the ` +
          `class is being defined again on purpose.`,
      );
    }
    if (topicOf.get(existing) === topic) topicOf.delete(existing);
  }
  byTopic.set(topic, obj);
  if (!topicOf.has(obj)) topicOf.set(obj, topic);
}

/**
 * The topic of a class: its registered topic, else its own static `topic`, else its name (and
 * the class is registered under it, so a later class claiming the same name is an error).
 */
export function getTopic(cls: object): string {
  const known = topicOf.get(cls);
  if (known !== undefined) return known;
  const topic = ownStaticTopic(cls) ?? (typeof cls === 'function' ? cls.name : '');
  if (!topic) {
    throw new TopicError(
      `Cannot make a topic for ${describeValue(cls)}: it has no name. Give the class a name or a static 'topic'.`,
    );
  }
  if (typeof cls === 'function' && ownStaticTopic(cls) === undefined) checkClassName(cls);
  registerTopic(topic, cls);
  return topic;
}

/**
 * A `TopicError` when a class's name, about to become a stored topic, looks chosen by a
 * minifier (the class has no static `topic`).
 */
export function checkClassName(cls: Function): void {
  if (!classNameLooksMangled(cls.name, cls)) return;
  throw new TopicError(
    `Cannot make a topic for class '${cls.name}': its name looks chosen by a minifier, and ` +
      `the topic is stored with its events. ${KEEP_NAMES_ADVICE} Here: give the class a ` +
      `static topic (static topic = 'TrickAdded'), or register it: ` +
      `registerTopic('TrickAdded', TheClass).`,
  );
}

/** The topic registered for a class (or other object), without registering it; else `undefined`. */
export function lookupTopic(obj: object): string | undefined {
  return topicOf.get(obj);
}

/** Whether a topic has been registered. */
export function hasTopic(topic: string): boolean {
  return byTopic.has(topic);
}

/** The class registered for a topic; a `TopicError` that says what to do if there is none. */
export function resolveTopic<T = unknown>(topic: string): T {
  const obj = byTopic.get(topic);
  if (obj === undefined) {
    throw new TopicError(
      `Failed to resolve topic '${topic}': no class is registered for it. Import the module ` +
        `that defines the class before reading its events, or, if the class was renamed or the ` +
        `events were written by another program, call registerTopic('${topic}', TheClass).`,
    );
  }
  return obj as T;
}

/** Forgets every registered topic (for tests that define classes again). */
export function clearTopicCache(): void {
  byTopic.clear();
  topicOf = new WeakMap();
}
